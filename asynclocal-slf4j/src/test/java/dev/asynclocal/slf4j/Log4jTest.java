package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.CharArrayWriter;
import java.util.Arrays;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The contract with Log4j 2 (log4j-slf4j2-impl): a real {@link WriterAppender} and a pattern with {@code %X}. */
class Log4jTest extends BackendContract {
    private static final CharArrayWriter OUT = new CharArrayWriter();

    @BeforeAll
    static void attachAppender() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        PatternLayout layout = PatternLayout.newBuilder().withPattern(PATTERN).withConfiguration(config).build();
        WriterAppender appender = WriterAppender.newBuilder()
                .setName("memory")
                .setTarget(OUT)
                .setLayout(layout)
                .setConfiguration(config)
                .build();
        appender.start();
        config.addAppender(appender);
        config.getLoggerConfig("scenario").addAppender(appender, null, null);
        context.updateLoggers();
    }

    @Override
    List<String> drainLines() {
        synchronized (OUT) {
            String text = OUT.toString();
            OUT.reset();
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
        }
    }

    @Test
    void log4jConfigurationWasApplied() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        assertThat(context.getConfiguration().getLoggerConfig("scenario").getName()).isEqualTo("scenario");
    }

    @Test
    void threadContextValuesStillShowBesideTheMdc() {
        ThreadContext.put("step", "from-thread-context");
        try {
            REQUEST.run("r-1", () -> {
                MDC.put("requestId", "r-1");
                LOG.info("r-1 both");
            });
        } finally {
            ThreadContext.remove("step");
        }
        assertThat(drainLines()).containsExactly("r-1|from-thread-context|r-1 both");
    }
}
