package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class CompletableFutureExampleTest {

    @Test
    void aStageRunsWhereItWasRegisteredNotWhereTheFutureWasCompleted() throws Exception {
        String output = captureStdout(CompletableFutureExample::registrationContext);

        assertThat(output).isEqualTo("""
                bob: plain stage got 42
                alice: propagating stage got 42
                """);
        assertThat(CompletableFutureExample.USER.getStore()).isNull();
    }

    /** Repeated: the async stage may run on either pool thread, and the completer may race it. */
    @RepeatedTest(5)
    void aChainAdaptedWithFromKeepsItsRegistrationContextThroughAsyncStages() throws Exception {
        String output = captureStdout(CompletableFutureExample::chain);

        assertThat(output).isEqualTo("alice: got PONG\n");
    }
}
