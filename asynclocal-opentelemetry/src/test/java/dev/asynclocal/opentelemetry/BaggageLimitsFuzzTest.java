package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes the checks on incoming {@code baggage} and {@code traceparent} fields
 * ({@link W3CLimits}) against {@link W3COracle}, an independent reading of the W3C grammar.
 *
 * <p>In the normal build this replays the inputs under
 * {@code src/test/resources/dev/asynclocal/opentelemetry/BaggageLimitsFuzzTestInputs}; with
 * {@code -Pfuzz} Jazzer searches for new ones (see docs/reliability.md).
 */
class BaggageLimitsFuzzTest {
    /**
     * Input: {@code baggage:} and {@code traceparent:} lines, and {@code declare:} lines naming
     * the declared keys (see {@link HeaderBlock}). For any fields a peer sends: nothing throws; over the total limits nothing survives;
     * otherwise exactly the members the oracle finds well-formed and at most 4096 bytes survive,
     * declared keys first, each otherwise in the order sent; sanitizing the result again changes
     * nothing. For {@code traceparent}: one field, trimmed, at most 512 characters, or nothing.
     */
    @FuzzTest
    @DictionaryEntries({"\\x0Abaggage:", "\\x0Atraceparent:", "\\x0Adeclare:", "<rep:200>", "user=", "requestId=",
        "level=", ",", ";", "=", " ", "\\x09", "%", "%25", "%C3%A9", "%E2%82%AC", "%F0%9F%98%80",
        "%C3", "%FF", "%ED%A0%80", "\\x22", "\\x5C", ";p", ";p=v", "00-", "-01"})
    void sanitizedBaggageIsExactlyTheWellFormedMembersWithinTheLimits(byte[] input) {
        Map<String, List<String>> headers = HeaderBlock.parse(input);
        Set<String> declared = Set.copyOf(HeaderBlock.fields(headers, "declare"));
        List<String> fields = HeaderBlock.fields(headers, "baggage");

        String sanitized = W3CLimits.sanitizeBaggage(fields, declared);

        List<String> members = W3COracle.rawMembers(fields);
        if (W3COracle.totalBytes(fields) > W3CLimits.MAX_BAGGAGE_BYTES
                || members.size() > W3CLimits.MAX_BAGGAGE_MEMBERS) {
            assertThat(sanitized).isNull();
        } else {
            List<String> first = new ArrayList<>();
            List<String> rest = new ArrayList<>();
            for (String member : members) {
                W3COracle.Member parsed = W3COracle.parse(member);
                if (parsed != null && parsed.bytes() <= W3CLimits.MAX_MEMBER_BYTES) {
                    (declared.contains(parsed.key()) ? first : rest).add(member);
                }
            }
            first.addAll(rest);
            assertThat(sanitized).isEqualTo(first.isEmpty() ? null : String.join(",", first));
        }
        if (sanitized != null) {
            assertThat(W3COracle.utf8Bytes(sanitized)).isLessThanOrEqualTo(W3CLimits.MAX_BAGGAGE_BYTES);
            assertThat(W3CLimits.sanitizeBaggage(List.of(sanitized), declared)).isEqualTo(sanitized);
        }

        List<String> traceparent = HeaderBlock.fields(headers, "traceparent");
        String value = W3CLimits.sanitizeTraceparent(traceparent);
        if (traceparent.size() != 1 || W3COracle.trim(traceparent.get(0)).length() > W3CLimits.MAX_TRACEPARENT_CHARS) {
            assertThat(value).isNull();
        } else {
            assertThat(value).isEqualTo(W3COracle.trim(traceparent.get(0)));
        }
    }
}
