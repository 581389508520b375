package dev.asynclocal.opentelemetry;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The input format of this package's fuzz tests: UTF-8 text, one header field per line,
 * {@code name:value}, so that the stored inputs under src/test/resources read like requests and
 * can be written by hand. The value is taken as it is, spaces included. A value
 * {@code <rep:N>text} stands for {@code text} repeated {@code N} times (1 to 999), so that short
 * inputs also reach the 8192-byte and 180-member limits. Lines without a colon are ignored.
 */
final class HeaderBlock {
    /** Reads every field of a repeated header, as the module's server filters do. */
    static final TextMapGetter<Map<String, List<String>>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, List<String>> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, List<String>> carrier, String key) {
            List<String> values = carrier == null ? null : carrier.get(key);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        @Override
        public Iterator<String> getAll(Map<String, List<String>> carrier, String key) {
            List<String> values = carrier == null ? null : carrier.get(key);
            return values == null ? null : values.iterator();
        }
    };

    private HeaderBlock() {
    }

    /** Header name (lowercase) to its fields, in input order. */
    static Map<String, List<String>> parse(byte[] input) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                headers.computeIfAbsent(name, n -> new ArrayList<>()).add(expand(line.substring(colon + 1)));
            }
        }
        return headers;
    }

    /** The fields of {@code name}, possibly none. */
    static List<String> fields(Map<String, List<String>> headers, String name) {
        return headers.getOrDefault(name, List.of());
    }

    private static String expand(String value) {
        if (value.startsWith("<rep:")) {
            int end = value.indexOf('>');
            if (end > 5 && end <= 8 && value.substring(5, end).chars().allMatch(c -> c >= '0' && c <= '9')) {
                int times = Integer.parseInt(value.substring(5, end));
                if (times >= 1) {
                    return value.substring(end + 1).repeat(times);
                }
            }
        }
        return value;
    }
}
