package dev.asynclocal.opentelemetry;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;

/** Reads headers from a map with lowercase names, as in the tests' hand-made requests. */
final class MapGetter implements TextMapGetter<Map<String, String>> {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
        return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
        return carrier == null ? null : carrier.get(key);
    }
}
