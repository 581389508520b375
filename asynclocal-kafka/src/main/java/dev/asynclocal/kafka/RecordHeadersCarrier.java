package dev.asynclocal.kafka;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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

    private static final System.Logger LOG = System.getLogger("dev.asynclocal.kafka");

    private RecordHeadersCarrier() {
    }

    @Override
    public Iterable<String> keys(Headers carrier) {
        Set<String> keys = new LinkedHashSet<>();
        for (Header header : carrier) {
            keys.add(header.key());
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
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header.value()))
                    .toString();
        } catch (CharacterCodingException e) {
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "record header '" + key + "' is not UTF-8 (" + header.value().length
                        + " bytes): ignored");
            }
            return null;
        }
    }
}
