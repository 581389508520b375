package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SnapshotExampleTest {

    @Test
    void snapshotRunsInTheCapturedContextAndRestoresTheCallers() throws Exception {
        String output = captureStdout(SnapshotExample::basics);

        assertThat(output).isEqualTo("""
                bob: before
                alice: inside the snapshot
                bob: after
                bob: the snapshot saw alice
                """);
    }

    @Test
    void eachListenerRunsInItsSubscribersContextOnTheBusThread() throws Exception {
        String output = captureStdout(SnapshotExample::eventBus);

        assertThat(output).isEqualTo("""
                alice: got tick
                bob: got tick
                alice: got tock
                bob: got tock
                """);
        assertThat(SnapshotExample.USER.getStore()).isNull();
    }
}
