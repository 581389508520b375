package dev.asynclocal.opentelemetry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Records what the module logs. Its {@code System.Logger} goes to {@code java.util.logging} (no
 * other {@code LoggerFinder} is on the test class path), where DEBUG is {@code FINE}.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger(Log.NAME);
    private final Level previousLevel;
    private final boolean previousUseParent;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        previousLevel = logger.getLevel();
        previousUseParent = logger.getUseParentHandlers();
        logger.setLevel(Level.ALL);
        // expected warnings stay off the build's console
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
        logger.setUseParentHandlers(previousUseParent);
    }

    /** The messages logged at {@code FINE} (System.Logger's DEBUG). */
    List<String> debugMessages() {
        return records.stream().filter(r -> r.getLevel() == Level.FINE).map(LogRecord::getMessage).collect(Collectors.toList());
    }

    List<LogRecord> records() {
        return records;
    }

    void clear() {
        records.clear();
    }
}
