package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.asynclocal.AsyncLocalStorage;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Fuzzes what a server does with a peer's headers: {@link BaggagePropagation#extract} followed
 * by {@link IncomingContext#run}, with three declared stores whose decoders accept anything, only
 * lowercase names (throwing otherwise), and only the digits 0 to 9 (returning {@code null} for
 * larger numbers, throwing for non-numbers).
 *
 * <p>Checked for every input: extraction neither throws nor falls back to "reading the headers
 * failed"; a store, and an OpenTelemetry baggage entry, is only ever set from a list-member that
 * {@link W3COracle} finds well-formed, within the W3C limits, and whose decoded value the store's
 * decoder accepted; a received string store goes out again unchanged in the next service's
 * headers; a remote parent comes only from a single {@code traceparent} field holding its ids; and
 * the calling thread's context (three stores and OpenTelemetry's context) is the same object
 * before extraction, after extraction and after {@code run}, while inside {@code run} every
 * store not received is unset, not inherited.
 */
@SuppressWarnings("try")   // scopes are opened for their effect
class HeaderExtractionFuzzTest {
    private static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("fuzz.requestId");
    private static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("fuzz.user");
    private static final AsyncLocalStorage<Integer> LEVEL = new AsyncLocalStorage<>("fuzz.level");

    private static final Function<String, String> USER_DECODER = text -> {
        if (!text.matches("[a-z]+")) {
            throw new IllegalArgumentException("not a user name");
        }
        return text;
    };
    private static final Function<String, Integer> LEVEL_DECODER = text -> {
        int level = Integer.parseInt(text);
        return level < 0 || level > 9 ? null : level;
    };

    private static final PropagatedStorage<String> REQUEST_ID_ENTRY = PropagatedStorage.ofString(REQUEST_ID, "requestId");
    private static final PropagatedStorage<String> USER_ENTRY = PropagatedStorage.of(USER, "user", u -> u, USER_DECODER);
    private static final PropagatedStorage<Integer> LEVEL_ENTRY = PropagatedStorage.of(LEVEL, "level", String::valueOf,
            LEVEL_DECODER);
    private static final BaggagePropagation PROPAGATION = BaggagePropagation.of(REQUEST_ID_ENTRY, USER_ENTRY, LEVEL_ENTRY);


    /**
     * Input: {@code traceparent:}, {@code tracestate:} and {@code baggage:} lines (see
     * {@link HeaderBlock}); an {@code outer-level:} line makes the level store set on the calling
     * thread too.
     */
    @FuzzTest
    @DictionaryEntries({"\\x0Abaggage:", "\\x0Atraceparent:", "\\x0Atracestate:", "\\x0Aouter-level:", "<rep:200>",
        "user=", "requestId=", "level=", "level=7", "user=alice", ",", ";", "=", " ", "%", "%25", "%2B", "+", "%C3%A9",
        "%E2%82%AC", "%C3", "%FF", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "-00000000000000000000000000000000-", "ff-", "traceparent", "baggage", "tracestate", "rojo=00f067aa0ba902b7"})
    void extractionSetsOnlyWhatDecodedAndLeavesTheCallerAlone(byte[] input) {
        // the whole block is the carrier: other headers are there too, as in a real request
        Map<String, List<String>> carrier = HeaderBlock.parse(input);
        List<String> traceparent = HeaderBlock.fields(carrier, BaggagePropagation.TRACEPARENT);
        List<String> baggage = HeaderBlock.fields(carrier, BaggagePropagation.BAGGAGE);
        boolean outerLevel = carrier.containsKey("outer-level");

        // The server thread is busy with something else: every store set, and an OpenTelemetry
        // context of its own.
        Context outerOtel = Context.root().with(Baggage.builder().put("outer", "1").build());
        try (Scope ignored = outerOtel.makeCurrent()) {
            REQUEST_ID.run("outer-request", () -> USER.run("outer-user", () -> {
                if (outerLevel) {
                    LEVEL.run(42, () -> check(carrier, traceparent, baggage));
                } else {
                    check(carrier, traceparent, baggage);
                }
            }));
            assertThat(REQUEST_ID.getStore()).isNull();
            assertThat(Context.current()).isSameAs(outerOtel);
        }
    }

    private static void check(Map<String, List<String>> carrier, List<String> traceparent, List<String> baggage) {
        Context before = Context.current();
        String requestIdBefore = REQUEST_ID.getStore();
        String userBefore = USER.getStore();
        Integer levelBefore = LEVEL.getStore();

        IncomingContext incoming;
        try (LogCapture log = new LogCapture()) {
            incoming = PROPAGATION.extract(carrier, HeaderBlock.GETTER);
            assertThat(log.debugMessages()).noneMatch(m -> m.startsWith("incoming context dropped"));
        }
        assertUnchanged(before, requestIdBefore, userBefore, levelBefore);

        Baggage received = Baggage.fromContext(incoming.otelContext());
        boolean overLimits = W3COracle.totalBytes(baggage) > W3CLimits.MAX_BAGGAGE_BYTES
                || W3COracle.rawMembers(baggage).size() > W3CLimits.MAX_BAGGAGE_MEMBERS;
        if (overLimits) {
            assertThat(received.isEmpty()).isTrue();
        }
        received.forEach((key, entry) -> assertCameFromAWellFormedMember(baggage, key, entry.getValue()));
        assertDecodedFromTheHeader(baggage, received, REQUEST_ID_ENTRY, incoming.value(REQUEST_ID_ENTRY), Function.identity());
        assertDecodedFromTheHeader(baggage, received, USER_ENTRY, incoming.value(USER_ENTRY), USER_DECODER);
        assertDecodedFromTheHeader(baggage, received, LEVEL_ENTRY, incoming.value(LEVEL_ENTRY), LEVEL_DECODER);

        SpanContext parent = Span.fromContext(incoming.otelContext()).getSpanContext();
        if (parent.isValid()) {
            assertThat(traceparent).hasSize(1);
            assertThat(traceparent.get(0)).contains(parent.getTraceId()).contains(parent.getSpanId());
        }

        incoming.run(() -> {
            assertThat(REQUEST_ID.getStore()).isEqualTo(incoming.value(REQUEST_ID_ENTRY));
            assertThat(USER.getStore()).isEqualTo(incoming.value(USER_ENTRY));
            assertThat(LEVEL.getStore()).isEqualTo(incoming.value(LEVEL_ENTRY));
            assertThat(Baggage.current().asMap()).isEqualTo(received.asMap());
            assertThat(Span.current().getSpanContext()).isEqualTo(parent);
            String requestId = incoming.value(REQUEST_ID_ENTRY);
            if (requestId != null) {
                // What came in goes out to the next service unchanged.
                Map<String, String> sent = PROPAGATION.headers();
                Map<String, List<String>> next = Map.of(BaggagePropagation.BAGGAGE,
                        List.of(sent.get(BaggagePropagation.BAGGAGE)));
                assertThat(PROPAGATION.extract(next, HeaderBlock.GETTER).value(REQUEST_ID_ENTRY)).isEqualTo(requestId);
            }
        });
        assertUnchanged(before, requestIdBefore, userBefore, levelBefore);
    }

    private static void assertUnchanged(Context otel, String requestId, String user, Integer level) {
        assertThat(Context.current()).isSameAs(otel);
        assertThat(REQUEST_ID.getStore()).isSameAs(requestId);
        assertThat(USER.getStore()).isSameAs(user);
        assertThat(LEVEL.getStore()).isSameAs(level);
    }

    /** A store is set only from a header member that decoded; the baggage entry goes with it. */
    private static <T> void assertDecodedFromTheHeader(List<String> baggage, Baggage received, PropagatedStorage<T> entry,
            T value, Function<String, T> decoder) {
        String raw = received.getEntryValue(entry.key());
        if (value == null) {
            assertThat(raw).as("baggage entry of a store that was not set").isNull();
        } else {
            assertThat(raw).isNotNull();
            assertThat(decoder.apply(raw)).isEqualTo(value);
            assertCameFromAWellFormedMember(baggage, entry.key(), raw);
        }
    }

    private static void assertCameFromAWellFormedMember(List<String> baggage, String key, String value) {
        boolean found = false;
        for (String member : W3COracle.rawMembers(baggage)) {
            W3COracle.Member parsed = W3COracle.parse(member);
            if (parsed != null && parsed.key().equals(key) && parsed.value().equals(value)
                    && parsed.bytes() <= W3CLimits.MAX_MEMBER_BYTES) {
                found = true;
                break;
            }
        }
        assertThat(found).as("entry %s=%s comes from a well-formed member of %s", key, value, baggage).isTrue();
    }
}
