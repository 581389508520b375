package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** With this module's provider selected, the check stays silent. */
class ProviderCheckSelectedTest {
    @Test
    void saysNothingWhenTheAsyncLocalProviderIsInUse() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LoggerFactory.getLogger("first").info("hello");
        } finally {
            System.setErr(original);
        }
        assertThat(AsyncLocalMdc.isInstalled()).isTrue();
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("asynclocal-slf4j is on the class path");
    }
}
