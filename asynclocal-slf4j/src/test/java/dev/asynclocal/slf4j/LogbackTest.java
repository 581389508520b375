package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The contract with Logback 1.5: a real {@link OutputStreamAppender} and a pattern with {@code %X}. */
class LogbackTest extends BackendContract {
    private static final ByteArrayOutputStream OUT = new ByteArrayOutputStream();

    @BeforeAll
    static void attachAppender() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("memory");
        appender.setEncoder(encoder);
        appender.setOutputStream(OUT);
        appender.start();
        Logger scenario = context.getLogger("scenario");
        scenario.addAppender(appender);
    }

    @Override
    List<String> drainLines() {
        synchronized (OUT) {
            String text = OUT.toString(StandardCharsets.UTF_8);
            OUT.reset();
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
        }
    }

    @Test
    void theLoggerContextReadsTheAsyncLocalMdc() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getMDCAdapter()).isSameAs(MDC.getMDCAdapter()).isInstanceOf(LogbackMdcAdapter.class);
        assertThat(context.getName()).isEqualTo("default");
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .as("installing our adapter left no warning behind")
                .allSatisfy(s -> assertThat(s.getLevel()).isLessThan(Status.WARN));
    }

    @Test
    void logbackTestXmlWasApplied() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getLogger("scenario").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("scenario").isAdditive()).isFalse();
    }

    @Test
    void eventsTakeTheContextsMapWithoutCopying() {
        MDC.put("requestId", "r-9");
        try {
            Map<String, String> current = MdcState.values();
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                    "fqcn", context.getLogger("scenario"), Level.INFO, "m", null, null);
            assertThat(event.getMDCPropertyMap()).isSameAs(current);
        } finally {
            MDC.remove("requestId");
        }
    }
}
