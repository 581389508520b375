package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The checks on incoming headers, before OpenTelemetry's parsers see them. */
class W3CLimitsTest {
    private static String sanitize(String... fields) {
        return W3CLimits.sanitizeBaggage(List.of(fields), Set.of());
    }

    private static String members(int count, String prefix) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i + "=v").collect(Collectors.joining(","));
    }

    @Test
    void wellFormedBaggagePassesUnchanged() {
        assertThat(sanitize("a=1,b=2")).isEqualTo("a=1,b=2");
        assertThat(sanitize("a=1", "b=2")).isEqualTo("a=1,b=2");
        assertThat(sanitize(" a = 1 ;p ; q = 2 , b=%E2%82%AC ")).isEqualTo("a = 1 ;p ; q = 2,b=%E2%82%AC");
        assertThat(sanitize("empty=")).isEqualTo("empty=");
        assertThat(W3CLimits.sanitizeBaggage(List.of(), Set.of())).isNull();
        assertThat(sanitize(" , ,")).isNull();
    }

    @Test
    void declaredKeysComeFirstSoOpenTelemetrysSixtyFourEntryCapNeverCutsThem() {
        String header = members(100, "k") + ",user=alice";
        String sanitized = W3CLimits.sanitizeBaggage(List.of(header), Set.of("user"));
        assertThat(sanitized).startsWith("user=alice,k0=v,k1=v");
    }

    @Test
    void overEightKilobytesInTotalDropsAllBaggage() {
        String big = "k=" + "x".repeat(4000);
        try (LogCapture log = new LogCapture()) {
            assertThat(sanitize(big, big.replace("k=", "l="), "m=" + "x".repeat(200))).isNull();
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).contains("over the W3C limit of 8192"));
        }
        // 8192 bytes exactly, commas between fields included, is allowed
        String a = "a=" + "x".repeat(4094);            // 4096
        String b = "b=" + "x".repeat(4093);            // 4095, + 1 comma = 8192
        assertThat(sanitize(a, b)).isEqualTo(a + "," + b);
    }

    @Test
    void overOneHundredEightyEntriesDropsAllBaggage() {
        assertThat(sanitize(members(180, "k"))).isNotNull();
        try (LogCapture log = new LogCapture()) {
            assertThat(sanitize(members(181, "k"))).isNull();
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).contains("181 entries"));
        }
    }

    @Test
    void anEntryOverFourKilobytesIsDroppedAlone() {
        String big = "big=" + "x".repeat(4093);        // 4097 bytes
        try (LogCapture log = new LogCapture()) {
            assertThat(sanitize("a=1," + big + ",b=2")).isEqualTo("a=1,b=2");
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).contains("4097 bytes").contains("\"big\""));
        }
        assertThat(sanitize("a=1,big=" + "x".repeat(4092))).hasSize(4 + 4096);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "novalue", "=v", "k y=v", "k=v v", "k=\"q\"", "k=a\\b", "k=%zz", "k=%4", "k=%C3", "k=%FF",
        "k=%C3%28", "k=v;p q", "k=v;=1", "k=v;p=a b", "kä=v", "k=vä", "k=v\u0000",
    })
    void aMalformedEntryIsDroppedAloneWithADebugLine(String member) {
        try (LogCapture log = new LogCapture()) {
            assertThat(sanitize("a=1," + member + ",b=2")).isEqualTo("a=1,b=2");
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).startsWith("malformed baggage entry dropped"));
        }
    }

    @Test
    void logLinesShowAPeersTextEscapedAndShortened() {
        assertThat(W3CLimits.quote("a\nb\"c")).isEqualTo("\"a\\u000ab\\u0022c\"");
        assertThat(W3CLimits.quote("x".repeat(100))).hasSize(64 + 5);
    }

    @Test
    void traceparentMustComeOnceAndShort() {
        String valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        assertThat(W3CLimits.sanitizeTraceparent(List.of())).isNull();
        assertThat(W3CLimits.sanitizeTraceparent(List.of(" " + valid + "\t"))).isEqualTo(valid);
        try (LogCapture log = new LogCapture()) {
            assertThat(W3CLimits.sanitizeTraceparent(List.of(valid, valid))).isNull();
            assertThat(W3CLimits.sanitizeTraceparent(List.of(valid + "-" + "0".repeat(500)))).isNull();
            assertThat(log.debugMessages()).hasSize(2);
        }
    }

    @Test
    void keysAreHttpTokens() {
        assertThat(W3CLimits.isToken("user.id-2_x!#$%&'*+^`|~")).isTrue();
        for (String bad : List.of("", "a b", "a=b", "a,b", "a;b", "ä", "a/b", "(a)", "a\"")) {
            assertThat(W3CLimits.isToken(bad)).as(bad).isFalse();
        }
    }

    @Test
    void utf8LengthCountsBytes() {
        assertThat(W3CLimits.utf8Length("a")).isEqualTo(1);
        assertThat(W3CLimits.utf8Length("é")).isEqualTo(2);
        assertThat(W3CLimits.utf8Length("€")).isEqualTo(3);
        assertThat(W3CLimits.utf8Length("😀")).isEqualTo(4);
    }
}
