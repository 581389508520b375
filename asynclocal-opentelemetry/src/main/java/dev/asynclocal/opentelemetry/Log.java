package dev.asynclocal.opentelemetry;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The module's one logger, a {@link System.Logger} named {@value #NAME}.
 *
 * <p>Why {@code System.Logger} and not SLF4J: it needs no dependency, so the storage provider,
 * which OpenTelemetry loads very early, can never fail for want of a logging jar; by default it
 * writes through {@code java.util.logging}, as OpenTelemetry itself does, and an application that
 * wants its SLF4J backend to get the lines adds SLF4J's {@code slf4j-jdk-platform-logging}. Dropped
 * input is logged at {@code DEBUG} ({@code FINE} in {@code java.util.logging}): a client can send
 * anything, and a malformed header must cost neither an exception nor a noisy log.
 */
final class Log {
    static final String NAME = "dev.asynclocal.opentelemetry";
    private static final Logger LOGGER = System.getLogger(NAME);
    private static final AtomicBoolean WARNED_WRONG_THREAD = new AtomicBoolean();

    private Log() {
    }

    /** Something a peer sent, or something the application stored, was left out. */
    static void dropped(Supplier<String> message) {
        if (LOGGER.isLoggable(Level.DEBUG)) {
            LOGGER.log(Level.DEBUG, message.get());
        }
    }

    /** Same, with the exception a codec threw. */
    static void dropped(Supplier<String> message, Throwable cause) {
        if (LOGGER.isLoggable(Level.DEBUG)) {
            LOGGER.log(Level.DEBUG, message.get(), cause);
        }
    }

    /**
     * A scope was closed on another thread, or out of order under strict mode: a bug worth one
     * warning, then debug lines.
     */
    static void wrongThread(String message) {
        Level level = WARNED_WRONG_THREAD.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG;
        if (LOGGER.isLoggable(level)) {
            LOGGER.log(level, message);
        }
    }
}
