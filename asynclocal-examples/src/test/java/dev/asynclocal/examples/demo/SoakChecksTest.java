package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The soak's checks can fail: the server's plain-JDK mode without the agent loses the context at
 * the first hop, and the hop counters, the log-line checker and the answers must all say so. Without
 * this, a soak that reports zero mismatches could be one that checks nothing.
 */
class SoakChecksTest {
    private static final int REQUESTS = 50;

    @Test
    void withoutPropagationEveryCheckReportsTheLoss() throws Exception {
        assumeThat(Propagation.agentInstalled()).as("this JVM has no agent (surefire)").isFalse();
        SoakSupport.LineChecker checker = SoakSupport.LineChecker.install();
        try (SoakServer server = SoakServer.inProcess(Propagation.AGENT, Duration.ZERO)) {
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                answers.add(server.process("user-" + i));
            }
            for (int i = 0; i < REQUESTS; i++) {
                // the final stage reads the user from the context, which never arrived
                assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("user null\n");
            }
            // every hop after the handler thread runs with no context: pool hop, future async,
            // future stage, scheduled task, the stream's elements that left the timer thread, ...
            assertThat(server.mismatches()).as("hop mismatches").isGreaterThanOrEqualTo(5L * REQUESTS);
            assertThat(server.mismatchSamples()).isNotEmpty().allMatch(s -> s.contains("saw store null and MDC null"));
            // only the handler's line carries its user
            assertThat(checker.mismatches.sum()).as("log-line mismatches")
                    .isEqualTo((long) (server.logLinesPerRequest() - 1) * REQUESTS);
            assertThat(checker.samples).isNotEmpty().allMatch(line -> line.startsWith("-|"));
        } finally {
            checker.uninstall();
        }
    }
}
