package dev.asynclocal.opentelemetry;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The checks incoming W3C headers pass before OpenTelemetry's propagators parse them, so that
 * what a peer sends is either taken whole or dropped whole, with a debug line saying why.
 *
 * <p>Baggage (W3C Baggage, "Limits"): all {@code baggage} header fields together at most
 * {@value #MAX_BAGGAGE_BYTES} bytes and {@value #MAX_BAGGAGE_MEMBERS} list-members, or every entry
 * is dropped; a list-member over {@value #MAX_MEMBER_BYTES} bytes, or one that does not follow the
 * grammar (key and property names are HTTP tokens, values are baggage-octets with well-formed
 * percent-escapes of UTF-8), is dropped alone. The surviving list-members are handed on with the
 * declared keys first, because OpenTelemetry keeps only the first 64 entries of a header.
 *
 * <p>Trace context: exactly one {@code traceparent} field of at most
 * {@value #MAX_TRACEPARENT_CHARS} characters is handed on; its format is then checked by
 * OpenTelemetry's {@code W3CTraceContextPropagator}.
 */
final class W3CLimits {
    static final int MAX_BAGGAGE_BYTES = 8192;
    static final int MAX_BAGGAGE_MEMBERS = 180;
    static final int MAX_MEMBER_BYTES = 4096;
    /** Version 00 is 55 characters; later versions may append fields, so allow some room. */
    static final int MAX_TRACEPARENT_CHARS = 512;

    private W3CLimits() {
    }

    /**
     * The single {@code baggage} value to hand OpenTelemetry for the header fields a peer sent,
     * or {@code null} for none.
     */
    static String sanitizeBaggage(List<String> fields, Set<String> declaredKeys) {
        if (fields.isEmpty()) {
            return null;
        }
        long bytes = 0;
        for (String field : fields) {
            bytes += utf8Length(field);
        }
        bytes += fields.size() - 1;   // the commas that would join them into one field
        if (bytes > MAX_BAGGAGE_BYTES) {
            long total = bytes;
            Log.dropped(() -> "baggage dropped: " + total + " bytes, over the W3C limit of " + MAX_BAGGAGE_BYTES);
            return null;
        }
        List<String> members = new ArrayList<>();
        for (String field : fields) {
            for (String member : field.split(",", -1)) {
                String trimmed = trimOws(member);
                if (!trimmed.isEmpty()) {
                    members.add(trimmed);
                }
            }
        }
        if (members.size() > MAX_BAGGAGE_MEMBERS) {
            int count = members.size();
            Log.dropped(() -> "baggage dropped: " + count + " entries, over the W3C limit of " + MAX_BAGGAGE_MEMBERS);
            return null;
        }
        List<String> declared = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (String member : members) {
            if (utf8Length(member) > MAX_MEMBER_BYTES) {
                Log.dropped(() -> "baggage entry dropped: " + utf8Length(member) + " bytes, over the W3C limit of "
                        + MAX_MEMBER_BYTES + " (key " + quote(keyOf(member)) + ")");
            } else if (!isWellFormedMember(member)) {
                Log.dropped(() -> "malformed baggage entry dropped: " + quote(member));
            } else if (declaredKeys.contains(keyOf(member))) {
                declared.add(member);
            } else {
                others.add(member);
            }
        }
        declared.addAll(others);
        return declared.isEmpty() ? null : String.join(",", declared);
    }

    /** The {@code traceparent} value to hand OpenTelemetry, or {@code null} for none. */
    static String sanitizeTraceparent(List<String> fields) {
        if (fields.isEmpty()) {
            return null;
        }
        if (fields.size() > 1) {
            Log.dropped(() -> "traceparent dropped: " + fields.size() + " header fields, W3C allows one");
            return null;
        }
        String value = trimOws(fields.get(0));
        if (value.length() > MAX_TRACEPARENT_CHARS) {
            Log.dropped(() -> "traceparent dropped: " + value.length() + " characters");
            return null;
        }
        return value;
    }

    /** {@code key OWS "=" OWS value *( OWS ";" OWS property )}, already trimmed. */
    static boolean isWellFormedMember(String member) {
        String[] parts = member.split(";", -1);
        int eq = parts[0].indexOf('=');
        if (eq < 0 || !isToken(trimOws(parts[0].substring(0, eq))) || !isValue(trimOws(parts[0].substring(eq + 1)))) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String property = trimOws(parts[i]);
            int peq = property.indexOf('=');
            if (peq < 0) {
                if (!isToken(property)) {
                    return false;
                }
            } else if (!isToken(trimOws(property.substring(0, peq))) || !isValue(trimOws(property.substring(peq + 1)))) {
                return false;
            }
        }
        return true;
    }

    /** {@code *baggage-octet}, with every {@code %} starting an escape, decoding to valid UTF-8. */
    static boolean isValue(String value) {
        int escapes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isBaggageOctet(c)) {
                return false;
            }
            if (c == '%') {
                if (i + 2 >= value.length() || hex(value.charAt(i + 1)) < 0 || hex(value.charAt(i + 2)) < 0) {
                    return false;
                }
                escapes++;
                i += 2;
            }
        }
        return escapes == 0 || decodesAsUtf8(value, escapes);
    }

    private static boolean decodesAsUtf8(String value, int escapes) {
        byte[] bytes = new byte[value.length() - 2 * escapes];
        int n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                bytes[n++] = (byte) (hex(value.charAt(i + 1)) << 4 | hex(value.charAt(i + 2)));
                i += 2;
            } else {
                bytes[n++] = (byte) c;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** RFC 9110 {@code token}: one or more tchar. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTchar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTchar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** {@code %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E}: visible ASCII but {@code " , ; \}. */
    private static boolean isBaggageOctet(char c) {
        return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    static String keyOf(String member) {
        int end = member.length();
        int eq = member.indexOf('=');
        int semi = member.indexOf(';');
        if (eq >= 0) {
            end = eq;
        }
        if (semi >= 0 && semi < end) {
            end = semi;
        }
        return trimOws(member.substring(0, end));
    }

    /** Strips spaces and tabs (HTTP's optional whitespace) at both ends. */
    static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** For log lines: a peer's text, shortened and with control characters escaped. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        int limit = Math.min(text.length(), 64);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > limit) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
