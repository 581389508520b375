package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** {@link AsyncLocalMdc#install()} in a JVM started without {@code -Dslf4j.provider}. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstallTest {

    @Test
    @Order(1)
    void refusesWhenThePropertyNamesAnotherProvider() {
        System.setProperty(AsyncLocalMdc.SLF4J_PROVIDER_PROPERTY, "com.example.OtherProvider");
        try {
            assertThatThrownBy(AsyncLocalMdc::install)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("com.example.OtherProvider");
        } finally {
            System.clearProperty(AsyncLocalMdc.SLF4J_PROVIDER_PROPERTY);
        }
    }

    @Test
    @Order(2)
    void installsInFrontOfLogback() {
        AsyncLocalMdc.install();
        assertThat(AsyncLocalMdc.isInstalled()).isTrue();
        assertThat(((LoggerContext) LoggerFactory.getILoggerFactory()).getMDCAdapter()).isSameAs(MDC.getMDCAdapter());
    }

    @Test
    @Order(3)
    void isIdempotent() {
        AsyncLocalMdc.install();
        assertThat(AsyncLocalMdc.isInstalled()).isTrue();
    }
}
