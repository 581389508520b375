package dev.asynclocal.grpc;

import io.grpc.Metadata;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;

/**
 * gRPC {@link Metadata} as the carrier of W3C headers: ASCII entries under the same lowercase
 * names HTTP uses ({@code traceparent}, {@code tracestate}, {@code baggage}).
 */
final class MetadataCarrier {
    static final TextMapGetter<Metadata> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
            return carrier.keys();
        }

        @Override
        public String get(Metadata carrier, String key) {
            Metadata.Key<String> asciiKey = asciiKey(key);
            return carrier == null || asciiKey == null ? null : carrier.get(asciiKey);
        }

        @Override
        public Iterator<String> getAll(Metadata carrier, String key) {
            Metadata.Key<String> asciiKey = asciiKey(key);
            Iterable<String> values = carrier == null || asciiKey == null ? null : carrier.getAll(asciiKey);
            return values == null ? Collections.emptyIterator() : values.iterator();
        }
    };

    private MetadataCarrier() {
    }

    /**
     * Puts {@code fields} into {@code headers}, each replacing whatever the application had put
     * under that name, as the HTTP client wrapper does.
     */
    static void replace(Metadata headers, Map<String, String> fields) {
        for (Map.Entry<String, String> field : fields.entrySet()) {
            Metadata.Key<String> key = Metadata.Key.of(field.getKey(), Metadata.ASCII_STRING_MARSHALLER);
            headers.removeAll(key);
            headers.put(key, field.getValue());
        }
    }

    /** The ASCII key of that name, or {@code null} for a name gRPC does not allow as one. */
    private static Metadata.Key<String> asciiKey(String name) {
        if (name == null || name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
            return null;
        }
        try {
            return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
        } catch (IllegalArgumentException notAKey) {
            return null;
        }
    }
}
