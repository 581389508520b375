package dev.asynclocal.grpc;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * The lines logged on the SLF4J logger {@code service}, each with the MDC's request id as it was
 * on the logging thread when the line was written.
 */
final class LogLines extends UnsynchronizedAppenderBase<ILoggingEvent> implements AutoCloseable {
    record Line(String mdcId, String message, String thread) {
    }

    private final Queue<Line> lines = new ConcurrentLinkedQueue<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("service");

    LogLines() {
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(new Line(event.getMDCPropertyMap().get("requestId"), event.getFormattedMessage(), event.getThreadName()));
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
