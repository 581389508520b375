package dev.asynclocal.grpc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what a {@code System.Logger} logs; with no other {@code LoggerFinder} on the test class
 * path it goes to {@code java.util.logging}, where DEBUG is {@code FINE}.
 */
final class JulCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final boolean previousUseParent;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    JulCapture(String name) {
        logger = Logger.getLogger(name);
        previousLevel = logger.getLevel();
        previousUseParent = logger.getUseParentHandlers();
        logger.setLevel(Level.ALL);
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

    List<String> debugMessages() {
        return records.stream().filter(r -> r.getLevel() == Level.FINE).map(LogRecord::getMessage).toList();
    }

    List<LogRecord> aboveDebug() {
        return records.stream().filter(r -> r.getLevel().intValue() > Level.FINE.intValue()).toList();
    }

    void clear() {
        records.clear();
    }
}
