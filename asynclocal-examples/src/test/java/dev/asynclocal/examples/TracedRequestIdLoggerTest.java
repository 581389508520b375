package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracedRequestIdLoggerTest {

    @Test
    void theTraceFlagWritesBothRequestsAndLeavesTheOutputAlone(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out/requests.json");
        String output = captureStdout(() -> TracedRequestIdLogger.main(new String[] {"--trace", json.toString()}));

        assertThat(output).isEqualTo("""
                0: start
                1: start
                0: finish
                1: finish
                """);
        String trace = Files.readString(json);
        assertThat(trace).startsWith("{\"displayTimeUnit\":\"ms\"").contains("\"traceEvents\":[")
                .contains("\"args\":{\"name\":\"request requestId=0\"}")
                .contains("\"args\":{\"name\":\"request requestId=1\"}")
                .contains("\"name\":\"thread_name\"").contains("\"flow_in\":true");
        String dot = Files.readString(dir.resolve("out/requests.dot"));
        assertThat(dot).contains("label=\"request requestId=0\"").contains("label=\"request requestId=1\"")
                .contains("top level\\non ").contains("Snapshot #").contains("ran on pool-");
    }

    @Test
    void withoutTheFlagNothingIsTraced() throws Exception {
        try (RequestTracing tracing = RequestTracing.fromArgs(new String[] {"a", "b"}, RequestIdLogger.REQUEST_ID)) {
            assertThat(tracing.remainingArgs()).containsExactly("a", "b");
            assertThat(tracing.dotFile()).isNull();
        }
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RequestTracing.fromArgs(new String[] {"--trace"}, RequestIdLogger.REQUEST_ID))
                .withMessageContaining("--trace needs a file name");
    }
}
