package dev.asynclocal.kafka;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Every line logged on one logger, with its MDC, as Logback sees it. */
public final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    /** One line: its message and the MDC {@code requestId} it was written with. */
    public record Line(String message, String requestId, String thread) {
    }

    public final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;

    public LogLines(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(new Line(event.getFormattedMessage(), event.getMDCPropertyMap().get("requestId"), event.getThreadName()));
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
