package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScheduledTaskExampleTest {

    @Test
    void everyRunOfAPeriodicTaskSeesTheContextOfTheScheduleCall() throws Exception {
        String output = captureStdout(() -> ScheduledTaskExample.main(new String[0]));

        assertThat(output).isEqualTo("""
                alice: heartbeat 1
                alice: heartbeat 2
                alice: heartbeat 3
                bob: once, later
                -: between runs, the thread holds no one's context
                """);
        assertThat(ScheduledTaskExample.USER.getStore()).isNull();
    }
}
