package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExecutorsExampleTest {

    @Test
    void tasksOfTheWrappedPoolRunInTheirSubmittersContext() throws Exception {
        String output = captureStdout(() -> ExecutorsExample.main(new String[0]));

        assertThat(output).isEqualTo("""
                -: plain pool
                alice: wrapped pool
                alice: a Callable saw alice
                alice: runAsync
                -: outside any run
                """);
        assertThat(ExecutorsExample.USER.getStore()).isNull();
    }
}
