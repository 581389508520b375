package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** SLF4J bound to Logback's own provider before {@link AsyncLocalMdc#install()}: a loud failure. */
class InstallTooLateTest {

    @Test
    void failsLoudlyOnceSlf4jIsBoundElsewhere() {
        LoggerFactory.getLogger("early");
        assertThat(AsyncLocalMdc.isInstalled()).isFalse();
        assertThatThrownBy(AsyncLocalMdc::install)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before install()")
                .hasMessageContaining("LogbackMDCAdapter");
    }
}
