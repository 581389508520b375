package dev.asynclocal.kafka;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding of header values: bytes that are not UTF-8 are absent, never guessed at. */
final class Utf8 {
    static final System.Logger LOG = System.getLogger("dev.asynclocal.kafka");

    private Utf8() {
    }

    /**
     * {@code value} decoded, or {@code null} (with a debug line naming {@code key}) when it is not
     * well-formed UTF-8: a replacement character would turn a bad value into a different one.
     */
    static String decode(String key, byte[] value) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "record header '" + key + "' is not UTF-8 (" + value.length + " bytes): ignored");
            }
            return null;
        }
    }
}
