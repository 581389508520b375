package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnterWithExampleTest {

    @Test
    void enterWithInsideRunEndsWithTheRun() throws Exception {
        String output = captureStdout(EnterWithExample::endsWithRun);

        assertThat(output).isEqualTo("""
                alice: in run
                mallory: after enterWith
                -: after run
                """);
        assertThat(EnterWithExample.USER.getStore()).isNull();
    }

    @Test
    void enterWithLastsUntilTheEndOfTheBoundTask() throws Exception {
        String output = captureStdout(EnterWithExample::requests);

        assertThat(output).isEqualTo("""
                alice: handler
                alice: async work
                bob: handler
                bob: async work
                -: next task on the same thread
                """);
    }

    @Test
    void withoutABoundaryEnterWithLeaksIntoTheNextTaskOnTheThread() throws Exception {
        String output = captureStdout(EnterWithExample::leak);

        assertThat(output).isEqualTo("carol: someone else's task\n");
    }
}
