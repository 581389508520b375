package dev.asynclocal.grpc;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/**
 * The module's one logger, a {@link System.Logger} named {@value #NAME}, for the reasons
 * {@code asynclocal-opentelemetry} gives for its own: no logging dependency, and
 * {@code java.util.logging} by default as gRPC itself does. What a peer sent and was dropped is a
 * debug line: a peer can send anything, and a bad header must cost neither an exception nor a
 * noisy log.
 */
final class Log {
    static final String NAME = "dev.asynclocal.grpc";
    private static final Logger LOGGER = System.getLogger(NAME);

    private Log() {
    }

    static void debug(Supplier<String> message) {
        if (LOGGER.isLoggable(Level.DEBUG)) {
            LOGGER.log(Level.DEBUG, message.get());
        }
    }

    static void debug(Supplier<String> message, Throwable cause) {
        if (LOGGER.isLoggable(Level.DEBUG)) {
            LOGGER.log(Level.DEBUG, message.get(), cause);
        }
    }

    static void warning(String message) {
        if (LOGGER.isLoggable(Level.WARNING)) {
            LOGGER.log(Level.WARNING, message);
        }
    }
}
