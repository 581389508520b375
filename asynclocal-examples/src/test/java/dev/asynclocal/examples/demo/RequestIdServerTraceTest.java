package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --trace FILE}: the demo writes the async trace of its requests, one tree per request id. */
class RequestIdServerTraceTest {

    private static Process start(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[4 + args.length];
        command[0] = java;
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = RequestIdServer.class.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void theTraceFlagWritesEachRequestsTree(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("demo.json");
        Process process = start("--trace", json.toString());
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(stderr).isZero();
        assertThat(stderr).contains("trace of 2 request(s) written to " + json.toAbsolutePath());

        assertThat(Files.readString(json)).contains("\"name\":\"request requestId=0\"")
                .contains("\"name\":\"request requestId=1\"").contains("\"flow_in\":true");
        String dot = Files.readString(dir.resolve("demo.dot"));
        assertThat(dot).contains("label=\"request requestId=0\"").contains("label=\"request requestId=1\"")
                .contains("Executor #").contains("ScheduledTask #").contains("ran on worker-")
                .contains("ran on timer-");
    }

    @Test
    void theTraceFlagWithoutAFileIsAUsageError() throws Exception {
        Process process = start("--trace");
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(stderr).contains("--trace needs a file name").contains(RequestIdServer.USAGE);
    }
}
