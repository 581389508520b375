package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WithScopeExampleTest {

    @Test
    void scopesNestAndCloseRestoresThePreviousStore() throws Exception {
        String output = captureStdout(WithScopeExample::tryWithResources);

        assertThat(output).isEqualTo("""
                alice: in the outer scope
                bob: in the inner scope
                alice: inner scope closed
                alice: async work
                -: outer scope closed
                """);
        assertThat(WithScopeExample.USER.getStore()).isNull();
    }

    @Test
    void aScopeCanSpanABeginAndAnEndCallback() throws Exception {
        String output = captureStdout(WithScopeExample::beginEnd);

        assertThat(output).isEqualTo("""
                carol: between begin and end
                -: after end
                """);
        assertThat(WithScopeExample.USER.getStore()).isNull();
    }
}
