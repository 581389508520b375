package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * This module on the class path, Logback's own provider chosen (no {@code slf4j.provider}, no
 * {@code install()}): one line on standard error says so and what to do, once.
 */
class ProviderCheckTest {
    @Test
    void warnsOnceWhenSlf4jUsesLogbacksOwnProvider() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LoggerFactory.getLogger("first").info("hello");
            LoggerFactory.getLogger("second").info("again");
        } finally {
            System.setErr(original);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertThat(AsyncLocalMdc.isInstalled()).isFalse();
        assertThat(err).contains("asynclocal-slf4j is on the class path, but SLF4J uses Logback's own provider")
                .contains("-Dslf4j.provider=dev.asynclocal.slf4j.AsyncLocalServiceProvider");
        assertThat(err.split("asynclocal-slf4j is on the class path", -1)).hasSize(2);
    }
}
