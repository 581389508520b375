package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The soak in wrapper mode ({@code AsyncExecutors.wrap}, {@code AsyncCompletableFuture}, a
 * snapshot per parallel-stream element): 64 clients for {@code -Dsoak.duration} (15 s by default),
 * every request a new user, every hop and every log line checked. {@link SoakAgentIT} runs the same
 * with the agent and plain JDK classes.
 */
class SoakTest {
    static SoakSupport.LineChecker checker;

    @BeforeAll
    static void checkEveryLine() {
        checker = SoakSupport.LineChecker.install();
    }

    @AfterAll
    static void restoreLogging() {
        checker.uninstall();
    }

    @Test
    void noRequestSeesAnotherUsersContextAndNoneIsLost() throws Exception {
        SoakSupport.Result result = SoakSupport.soak(mode(), SoakSupport.soakDuration(), checker);
        System.out.println(result.summary());
        assertThat(result.lost()).isZero();
    }

    Propagation mode() {
        return Propagation.WRAPPERS;
    }
}
