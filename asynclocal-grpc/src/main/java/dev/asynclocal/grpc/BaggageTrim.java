package dev.asynclocal.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Shortens an outgoing {@code baggage} value to a byte budget by leaving whole members out: the
 * declared stores' members first, then the others in their order, each kept while it still fits.
 * The value is what OpenTelemetry's propagator wrote: ASCII (values percent-encoded, so a comma
 * only ever separates members), one byte a character.
 */
final class BaggageTrim {
    private BaggageTrim() {
    }

    /**
     * @return {@code header} itself if it fits; else the members that fit, or {@code null} if none
     */
    static String trim(String header, Set<String> preferredKeys, int maxBytes, List<String> dropped) {
        if (header.length() <= maxBytes) {
            return header;
        }
        List<String> members = new ArrayList<>();
        for (String member : header.split(",")) {
            if (!member.isBlank()) {
                members.add(member.strip());
            }
        }
        List<String> ordered = new ArrayList<>(members.size());
        for (String member : members) {
            if (preferredKeys.contains(keyOf(member))) {
                ordered.add(member);
            }
        }
        for (String member : members) {
            if (!preferredKeys.contains(keyOf(member))) {
                ordered.add(member);
            }
        }
        StringBuilder kept = new StringBuilder(maxBytes);
        for (String member : ordered) {
            int needed = member.length() + (kept.length() == 0 ? 0 : 1);
            if (kept.length() + needed <= maxBytes) {
                kept.append(kept.length() == 0 ? "" : ",").append(member);
            } else {
                dropped.add(keyOf(member));
            }
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    private static String keyOf(String member) {
        int equals = member.indexOf('=');
        return (equals < 0 ? member : member.substring(0, equals)).strip();
    }
}
