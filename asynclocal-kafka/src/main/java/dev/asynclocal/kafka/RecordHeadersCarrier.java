package dev.asynclocal.kafka;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Reads propagation headers from a record's {@link Headers}: the last header of a name wins (a
 * record may carry several), and a value that is not well-formed UTF-8 is treated as absent, with
 * a debug line, rather than decoded with replacement characters into something else.
 */
final class RecordHeadersCarrier implements TextMapGetter<Headers> {
    static final RecordHeadersCarrier INSTANCE = new RecordHeadersCarrier();

    private RecordHeadersCarrier() {
    }

    @Override
    public Iterable<String> keys(Headers carrier) {
        Set<String> keys = new LinkedHashSet<>();
        if (carrier != null) {
            for (Header header : carrier) {
                keys.add(header.key());
            }
        }
        return keys;
    }

    @Override
    public String get(Headers carrier, String key) {
        if (carrier == null) {
            return null;
        }
        Header header = carrier.lastHeader(key);
        if (header == null || header.value() == null) {
            return null;
        }
        return Utf8.decode(key, header.value());
    }
}
