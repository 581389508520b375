package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NewThreadExampleTest {

    @Test
    void onlyTheBoundTaskSeesTheContextOfTheThreadsCreator() throws Exception {
        String output = captureStdout(() -> NewThreadExample.main(new String[0]));

        assertThat(output).isEqualTo("""
                -: plain thread
                alice: bound thread
                """);
        assertThat(NewThreadExample.USER.getStore()).isNull();
    }
}
