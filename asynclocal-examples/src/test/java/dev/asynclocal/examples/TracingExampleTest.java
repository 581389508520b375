package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracingExampleTest {

    @Test
    void writesTheTraceOfTheCheckoutRequest(@TempDir Path dir) throws Exception {
        String output = captureStdout(() -> TracingExample.main(new String[] {dir.toString()}));

        assertThat(output).isEqualTo("checkout-7 -> cart of checkout-7: 42 EUR, in stock\n");
        String json = Files.readString(dir.resolve("checkout.json"));
        assertThat(json).contains("\"name\":\"request requestId=checkout-7\"").doesNotContain("\"unfinished\":true");
        String dot = Files.readString(dir.resolve("checkout.dot"));
        assertThat(dot).contains("label=\"request requestId=checkout-7\"").doesNotContain("cluster_2")
                .contains("CompletableFuture #").contains("Executor #").doesNotContain("unfinished");
    }
}
