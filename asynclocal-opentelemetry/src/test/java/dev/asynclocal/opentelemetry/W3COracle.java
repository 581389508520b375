package dev.asynclocal.opentelemetry;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second reading of the W3C Baggage grammar, written from the specification with regular
 * expressions rather than by hand, so that the fuzz tests can check {@link W3CLimits} against
 * something that does not share its code.
 */
final class W3COracle {
    private static final String OWS = "[ \\t]*+";
    private static final String TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]++";
    /** baggage-octets; that each {@code %} starts an escape is checked apart (no nested loops, no deep recursion). */
    private static final String VALUE = "[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]*+";
    private static final Pattern KEY_VALUE = Pattern.compile(OWS + "(" + TOKEN + ")" + OWS + "=" + OWS + "(" + VALUE + ")" + OWS);
    private static final Pattern PROPERTY = Pattern.compile(OWS + TOKEN + OWS + "(?:=" + OWS + "(" + VALUE + ")" + OWS + ")?");
    private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");

    /** One list-member as the grammar reads it. */
    record Member(String key, String value, int bytes) {
    }

    private W3COracle() {
    }

    /** The non-empty list-members of all fields, in order, as raw text. */
    static List<String> rawMembers(List<String> fields) {
        List<String> members = new ArrayList<>();
        for (String field : fields) {
            for (String member : field.split(",", -1)) {
                String trimmed = trim(member);
                if (!trimmed.isEmpty()) {
                    members.add(trimmed);
                }
            }
        }
        return members;
    }

    /** Total size in UTF-8 of the fields joined with commas, as the W3C limit counts it. */
    static long totalBytes(List<String> fields) {
        long bytes = fields.isEmpty() ? 0 : fields.size() - 1;
        for (String field : fields) {
            bytes += utf8Bytes(field);
        }
        return bytes;
    }

    /** UTF-8 size by code point; a lone surrogate counts as the three bytes it would take. */
    static int utf8Bytes(String s) {
        return s.codePoints().map(cp -> cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4).sum();
    }

    /**
     * The member parsed, or {@code null} when it is over 4096 bytes, breaks the grammar, or a
     * percent-escape sequence does not decode as UTF-8. The value is percent-decoded.
     */
    static Member parse(String member) {
        int bytes = utf8Bytes(trim(member));
        if (bytes > W3CLimits.MAX_MEMBER_BYTES) {
            return null;
        }
        // ';' is in neither tokens nor values, so splitting on it cuts exactly between properties
        String[] parts = member.split(";", -1);
        Matcher m = KEY_VALUE.matcher(parts[0]);
        if (!m.matches() || BAD_ESCAPE.matcher(m.group(2)).find()) {
            return null;
        }
        for (int i = 1; i < parts.length; i++) {
            Matcher p = PROPERTY.matcher(parts[i]);
            String propertyValue = p.matches() ? p.group(1) : null;
            if (!p.matches() || propertyValue != null
                    && (BAD_ESCAPE.matcher(propertyValue).find() || percentDecode(propertyValue) == null)) {
                return null;
            }
        }
        String decoded = percentDecode(m.group(2));
        return decoded == null ? null : new Member(m.group(1), decoded, bytes);
    }

    /** HTTP's optional whitespace (spaces and tabs only) removed at both ends. */
    static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isOws(s.charAt(start))) {
            start++;
        }
        while (end > start && isOws(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /** Strict percent-decoding of UTF-8 ({@code +} is a plus), or {@code null} if malformed. */
    static String percentDecode(String value) {
        byte[] out = new byte[value.length()];
        int n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length()) {
                    return null;
                }
                int high = Character.digit(value.charAt(i + 1), 16);
                int low = Character.digit(value.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                out[n++] = (byte) (high << 4 | low);
                i += 2;
            } else if (c > 0x7f) {
                return null;
            } else {
                out[n++] = (byte) c;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
