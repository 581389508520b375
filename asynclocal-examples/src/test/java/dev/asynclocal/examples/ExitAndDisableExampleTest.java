package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.RepeatedTest;

class ExitAndDisableExampleTest {

    /** Repeated: after disable() the instance works again for new runs, so a rerun prints the same. */
    @RepeatedTest(2)
    void exitHidesOneStoreForACallAndDisableHidesEveryEarlierStore() throws Exception {
        String output = captureStdout(() -> ExitAndDisableExample.main(new String[0]));

        assertThat(output).isEqualTo("""
                user=anonymous trace=null: outside
                user=alice trace=t-1: in run
                user=anonymous trace=t-1: in exit
                user=alice trace=t-1: after exit
                user=alice trace=null: pending task
                user=anonymous trace=null: pending task
                user=bob trace=null: new run
                user=anonymous trace=null: pending task
                """);
    }
}
