package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code -Dasynclocal.detectLoss=true} turns the detector on with no code. */
class ContextLossPropertyTest {

    @Test
    void theSystemPropertyTurnsTheDetectorOnAtStartup() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-D" + ContextLossDetector.PROPERTY + "=true",
                "-cp", System.getProperty("java.class.path"), LossDemoMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();

        assertThat(out).startsWith("enabled=true\n");
        assertThat(out).contains("asynclocal: context lost: requestId.getStore() found no store, on thread \"pool-1-thread-1\"");
        assertThat(out).contains("at dev.asynclocal.LossDemoMain.log(LossDemoMain.java:");
        assertThat(out).containsPattern("at dev\\.asynclocal\\.LossDemoMain\\.lambda\\$main\\$\\d\\(LossDemoMain\\.java:\\d+\\)"
                + "   <- the work \\(a lambda: created at this line\\)");
        assertThat(out).contains("at java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(");
        assertThat(out).endsWith("count=3\n");
        assertThat(List.of(out.split("context lost", -1))).hasSize(2);
    }
}
