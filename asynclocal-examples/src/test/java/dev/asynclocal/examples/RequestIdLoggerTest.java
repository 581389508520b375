package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.RepeatedTest;

class RequestIdLoggerTest {

    /** Repeated: the order is fixed by a latch, not by luck, so every run prints the same. */
    @RepeatedTest(5)
    void everyLineCarriesTheIdOfItsOwnRequest() throws Exception {
        String output = captureStdout(() -> RequestIdLogger.main(new String[0]));

        assertThat(output).isEqualTo("""
                0: start
                1: start
                0: finish
                1: finish
                """);
        assertThat(RequestIdLogger.REQUEST_ID.getStore()).as("no store leaks into the caller").isNull();
    }
}
