package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.helpers.NOPLogger;

/** With no backend on the class path, loggers are no-ops and the MDC still works. */
class NoBackendTest {

    @Test
    void loggersAreNoOpsAndTheMdcIsOurs() {
        AsyncLocalMdc.install();
        assertThat(LoggerFactory.getLogger("x")).isInstanceOf(NOPLogger.class);
        assertThat(MDC.getMDCAdapter()).isInstanceOf(AsyncLocalMdcAdapter.class);
        assertThat(AsyncLocalMdc.isInstalled()).isTrue();
    }

    @Test
    void theProviderReportsItsMissingDelegate() {
        AsyncLocalServiceProvider provider = new AsyncLocalServiceProvider();
        assertThat(provider.delegate()).isNull();
        assertThat(provider.getMarkerFactory().getMarker("m").getName()).isEqualTo("m");
        assertThat(provider.toString()).contains("no backend");
    }
}
