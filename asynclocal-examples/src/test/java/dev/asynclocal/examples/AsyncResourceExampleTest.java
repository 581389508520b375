package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AsyncResourceExampleTest {

    @Test
    void queuedJobsRunInTheContextOfTheCodeThatQueuedThem() throws Exception {
        String output = captureStdout(() -> AsyncResourceExample.main(new String[0]));

        assertThat(output).isEqualTo("""
                alice: job 1 on job-queue, running as JobQueue.Job
                bob: job 2 on job-queue, running as JobQueue.Job
                carol: bound on other, running as Callback
                """);
        assertThat(AsyncResourceExample.USER.getStore()).isNull();
    }
}
