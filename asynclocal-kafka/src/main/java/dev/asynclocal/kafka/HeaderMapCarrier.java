package dev.asynclocal.kafka;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;

/**
 * Reads propagation headers from a map of headers already copied out of a record (Spring's
 * {@code MessageHeaders}): a value is the header's bytes or a {@code String}; anything else is
 * absent, with a debug line.
 */
final class HeaderMapCarrier implements TextMapGetter<Map<String, ?>> {
    static final HeaderMapCarrier INSTANCE = new HeaderMapCarrier();

    private HeaderMapCarrier() {
    }

    @Override
    public Iterable<String> keys(Map<String, ?> carrier) {
        return carrier == null ? Set.of() : carrier.keySet();
    }

    @Override
    public String get(Map<String, ?> carrier, String key) {
        if (carrier == null) {
            return null;
        }
        Object value = carrier.get(key);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof byte[]) {
            return Utf8.decode(key, (byte[]) value);
        }
        if (Utf8.LOG.isLoggable(Level.DEBUG)) {
            Utf8.LOG.log(Level.DEBUG, "header '" + key + "' is a " + value.getClass().getName()
                    + ", neither bytes nor a String: ignored");
        }
        return null;
    }
}
