package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BindExampleTest {

    @Test
    void boundFunctionsSeeTheContextOfTheBindCall() throws Exception {
        String output = captureStdout(() -> BindExample.main(new String[0]));

        assertThat(output).isEqualTo("""
                [-] plain task
                [t-7] bound task
                [t-7] bound task
                [t-8] caller again
                [-] result computed for t-9
                """);
        assertThat(BindExample.TRACE_ID.getStore()).isNull();
    }
}
