package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.AsyncLocalStorage;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Inject and extract, without HTTP: what is sent, what is received, what is dropped. */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
class BaggagePropagationTest {
    /** A store type with a strict codec: names of lowercase letters only. */
    record User(String name) {
        static User parse(String text) {
            if (!text.matches("[a-z]+")) {
                throw new IllegalArgumentException("not a user name: " + text);
            }
            return new User(text);
        }
    }

    private static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
    private static final AsyncLocalStorage<User> USER = new AsyncLocalStorage<>("user");
    private static final AsyncLocalStorage<Integer> LEVEL = new AsyncLocalStorage<>("level");
    private static final PropagatedStorage<String> REQUEST_ID_ENTRY = PropagatedStorage.ofString(REQUEST_ID, "requestId")
            .withMdcKey("requestId");
    private static final PropagatedStorage<User> USER_ENTRY = PropagatedStorage.of(USER, "user", User::name, User::parse);
    private static final PropagatedStorage<Integer> LEVEL_ENTRY = PropagatedStorage.of(LEVEL, "level",
            level -> {
                if (level < 0) {
                    throw new IllegalStateException("negative level");
                }
                return level == 0 ? null : Integer.toString(level);
            },
            text -> Integer.parseInt(text) > 9 ? null : Integer.valueOf(text));
    private static final BaggagePropagation PROPAGATION = BaggagePropagation.of(REQUEST_ID_ENTRY, USER_ENTRY, LEVEL_ENTRY);
    private static final TextMapGetter<Map<String, String>> GETTER = new MapGetter();

    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @BeforeEach
    void reset() {
        Tracing.EXPORTER.reset();
    }

    // ------------------------------------------------------------------ sending

    @Test
    void anEmptyContextSendsNothing() {
        assertThat(PROPAGATION.headers()).isEmpty();
    }

    /**
     * Headers are remembered per thread for the context they were computed in (a producer sending
     * many records encodes once): every change of a store, of OpenTelemetry's context, or of the
     * propagation must still give fresh headers, and a caller may change what it gets.
     */
    @Test
    void rememberedHeadersFollowEveryChangeOfContext() {
        java.util.concurrent.atomic.AtomicInteger encodings = new java.util.concurrent.atomic.AtomicInteger();
        AsyncLocalStorage<String> counted = new AsyncLocalStorage<>("counted");
        BaggagePropagation countedPropagation = BaggagePropagation.of(PropagatedStorage.of(counted, "counted",
                value -> {
                    encodings.incrementAndGet();
                    return value;
                }, value -> value));
        counted.run("a", () -> {
            Map<String, String> first = countedPropagation.headers();
            first.clear(); // the caller's own copy
            assertThat(countedPropagation.headers()).containsEntry("baggage", "counted=a");
            assertThat(encodings).as("the same context is encoded once").hasValue(1);
            assertThat(PROPAGATION.headers()).as("another propagation, other stores").isEmpty();
        });
        for (int i = 0; i < 100; i++) {
            String value = "v" + i;
            assertThat(counted.run(value, countedPropagation::headers)).containsEntry("baggage", "counted=" + value);
            // an equal value in another String object is a new context: encoded again, same text
            assertThat(counted.run(new String(value), countedPropagation::headers))
                    .containsEntry("baggage", "counted=" + value);
        }
        assertThat(countedPropagation.headers()).as("outside every context").isEmpty();
        Span span = Tracing.TRACER.spanBuilder("remembered").startSpan();
        counted.run("b", () -> {
            Map<String, String> withoutSpan = countedPropagation.headers();
            try (Scope ignored = span.makeCurrent()) {
                assertThat(withoutSpan).doesNotContainKey("traceparent");
                assertThat(countedPropagation.headers()).containsKey("traceparent")
                        .containsEntry("baggage", "counted=b");
            } finally {
                span.end();
            }
            assertThat(countedPropagation.headers()).doesNotContainKey("traceparent");
        });
    }

    @Test
    void declaredStoresTravelAsBaggageEntries() {
        Map<String, String> headers = REQUEST_ID.run("r-1", () -> USER.run(new User("alice"), () -> LEVEL.run(3,
                PROPAGATION::headers)));
        assertThat(headers).containsOnlyKeys("baggage");
        assertThat(headers.get("baggage").split(",")).containsExactlyInAnyOrder("requestId=r-1", "user=alice", "level=3");
    }

    @Test
    void traceparentIsSentWhenASpanIsCurrent() {
        Span span = Tracing.TRACER.spanBuilder("caller").startSpan();
        Map<String, String> headers;
        try (Scope ignored = span.makeCurrent()) {
            headers = PROPAGATION.headers();
        } finally {
            span.end();
        }
        assertThat(headers).containsOnlyKeys("traceparent");
        assertThat(headers.get("traceparent"))
                .isEqualTo("00-" + span.getSpanContext().getTraceId() + "-" + span.getSpanContext().getSpanId()
                        + "-" + span.getSpanContext().getTraceFlags().asHex());
    }

    @Test
    void otherBaggageIsKeptAndDeclaredKeysFollowTheirStores() {
        Baggage inherited = Baggage.builder().put("tenant", "acme").put("user", "stale").put("requestId", "stale").build();
        Map<String, String> headers;
        try (Scope ignored = inherited.makeCurrent()) {
            // user has a store: it replaces the entry; requestId has none: the entry is not sent
            headers = USER.run(new User("bob"), PROPAGATION::headers);
        }
        assertThat(headers.get("baggage").split(",")).containsExactlyInAnyOrder("tenant=acme", "user=bob");
    }

    @Test
    void anEncoderThatThrowsOrReturnsNullSendsNoEntry() {
        try (LogCapture log = new LogCapture()) {
            assertThat(LEVEL.run(-1, PROPAGATION::headers)).isEmpty();
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).contains("level not sent: its encoder threw"));
        }
        assertThat(LEVEL.run(0, PROPAGATION::headers)).isEmpty();
    }

    @Test
    void valuesArePercentEncodedAndComeBackIntact() {
        String odd = "a b,c;d=e%f\"g\\h€😀";
        Map<String, String> headers = REQUEST_ID.run(odd, PROPAGATION::headers);
        assertThat(headers.get("baggage")).doesNotContain(" ", "\"", "\\", "€").startsWith("requestId=");
        assertThat(PROPAGATION.extract(headers, GETTER).value(REQUEST_ID_ENTRY)).isEqualTo(odd);
    }

    @Test
    void anEntryOverTheLimitOnceEncodedIsNotSentAndTheOthersAre() {
        String big = "€".repeat(500);   // 1500 UTF-8 bytes, 4500 once percent-encoded
        Map<String, String> headers;
        try (LogCapture log = new LogCapture()) {
            headers = REQUEST_ID.run(big, () -> USER.run(new User("carol"), PROPAGATION::headers));
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).contains("requestId not sent"));
        }
        assertThat(headers).containsEntry("baggage", "user=carol");
    }

    @Test
    void injectWritesTheSameHeadersThroughASetter() {
        Map<String, String> carrier = new HashMap<>();
        REQUEST_ID.run("r-9", () -> PROPAGATION.inject(carrier, Map::put));
        assertThat(carrier).containsExactly(Map.entry("baggage", "requestId=r-9"));
    }

    // ------------------------------------------------------------------ receiving

    @Test
    void receivedEntriesAreDecodedAndTheRemoteSpanIsTheParent() {
        Map<String, String> headers = Map.of("traceparent", TRACEPARENT, "baggage", "requestId=r-2,user=dave,level=4,tenant=acme");
        IncomingContext incoming = PROPAGATION.extract(headers, GETTER);
        assertThat(incoming.value(USER_ENTRY)).isEqualTo(new User("dave"));
        assertThat(incoming.value(LEVEL_ENTRY)).isEqualTo(4);
        incoming.run(() -> {
            assertThat(REQUEST_ID.getStore()).isEqualTo("r-2");
            assertThat(USER.getStore()).isEqualTo(new User("dave"));
            assertThat(LEVEL.getStore()).isEqualTo(4);
            assertThat(Baggage.current().getEntryValue("tenant")).isEqualTo("acme");
            Tracing.TRACER.spanBuilder("server").startSpan().end();
        });
        SpanData server = Tracing.spansByName().get("server");
        assertThat(server.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(server.getParentSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(server.getParentSpanContext().isRemote()).isTrue();
    }

    @Test
    void theContextIsFreshWhateverTheThreadHeldAndTheThreadGetsItBackAfterwards() {
        Context threadContext = Context.root().with(Baggage.builder().put("leftover", "x").build());
        try (Scope ignored = threadContext.makeCurrent()) {
            REQUEST_ID.run("thread's own", () -> USER.run(new User("thread"), () -> {
                IncomingContext incoming = PROPAGATION.extract(Map.of("baggage", "user=erin"), GETTER);
                incoming.run(() -> {
                    assertThat(REQUEST_ID.getStore()).isNull();
                    assertThat(USER.getStore()).isEqualTo(new User("erin"));
                    assertThat(Baggage.current().getEntryValue("leftover")).isNull();
                    assertThat(Span.current().getSpanContext().isValid()).isFalse();
                });
                assertThat(REQUEST_ID.getStore()).isEqualTo("thread's own");
                assertThat(USER.getStore()).isEqualTo(new User("thread"));
            }));
            assertThat(Context.current()).isSameAs(threadContext);
        }
    }

    @Test
    void noHeadersAtAllMeansNoStoresAndRoot() {
        IncomingContext incoming = PROPAGATION.extract(Map.of(), GETTER);
        assertThat(incoming.otelContext()).isSameAs(Context.root());
        REQUEST_ID.run("held", () -> incoming.run(() -> assertThat(REQUEST_ID.getStore()).isNull()));
        assertThat(incoming).hasToString("IncomingContext[requestId unset, user unset, level unset]");
    }

    @Test
    void aValueTheDecoderRefusesIsDroppedFromTheStoreAndFromTheBaggage() {
        try (LogCapture log = new LogCapture()) {
            IncomingContext incoming = PROPAGATION.extract(Map.of("baggage", "user=Not-A-Name,level=12,requestId=r-3"), GETTER);
            assertThat(incoming.value(USER_ENTRY)).isNull();
            assertThat(incoming.value(LEVEL_ENTRY)).isNull();
            assertThat(incoming.value(REQUEST_ID_ENTRY)).isEqualTo("r-3");
            Baggage baggage = Baggage.fromContext(incoming.otelContext());
            assertThat(baggage.getEntryValue("user")).isNull();
            assertThat(baggage.getEntryValue("level")).isNull();
            assertThat(baggage.getEntryValue("requestId")).isEqualTo("r-3");
            assertThat(log.debugMessages())
                    .anySatisfy(m -> assertThat(m).contains("user dropped: its decoder threw"))
                    .anySatisfy(m -> assertThat(m).contains("level dropped: value refused by its decoder"));
        }
    }

    @Test
    void aMalformedTraceparentIsDroppedAndTheBaggageStillApplies() {
        try (LogCapture log = new LogCapture()) {
            IncomingContext incoming = PROPAGATION.extract(
                    Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "baggage", "user=fay"),
                    GETTER);
            assertThat(Span.fromContext(incoming.otelContext()).getSpanContext().isValid()).isFalse();
            assertThat(incoming.value(USER_ENTRY)).isEqualTo(new User("fay"));
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).startsWith("malformed traceparent dropped"));
        }
    }

    @Test
    void aGetterThatThrowsGivesAFreshContext() {
        TextMapGetter<Map<String, String>> broken = new TextMapGetter<>() {
            @Override
            public Iterable<String> keys(Map<String, String> carrier) {
                throw new IllegalStateException("broken");
            }

            @Override
            public String get(Map<String, String> carrier, String key) {
                throw new IllegalStateException("broken");
            }
        };
        try (LogCapture log = new LogCapture()) {
            IncomingContext incoming = PROPAGATION.extract(Map.of(), broken);
            assertThat(incoming.otelContext()).isSameAs(Context.root());
            USER.run(new User("held"), () -> incoming.run(() -> assertThat(USER.getStore()).isNull()));
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).contains("reading the headers failed"));
        }
    }

    @Test
    void receivedValuesGoToTheMdcWhereAsked() {
        IncomingContext incoming = PROPAGATION.extract(Map.of("baggage", "requestId=r-4,user=gus"), GETTER);
        MDC.put("requestId", "outer");
        try {
            incoming.run(() -> {
                assertThat(MDC.get("requestId")).isEqualTo("r-4");
                assertThat(MDC.get("user")).isNull();   // no MDC key declared for user
            });
            assertThat(MDC.get("requestId")).isEqualTo("outer");
        } finally {
            MDC.remove("requestId");
        }
    }

    @Test
    void runReturnsAndThrowsWhatItsFunctionDoes() throws Exception {
        IncomingContext incoming = PROPAGATION.extract(Map.of("baggage", "user=hal"), GETTER);
        assertThat(incoming.<String, Exception>run(() -> USER.getStore().name())).isEqualTo("hal");
        assertThatThrownBy(() -> incoming.<Void, Exception>run(() -> {
            throw new java.io.IOException("boom");
        })).isInstanceOf(java.io.IOException.class).hasMessage("boom");
        assertThat(USER.getStore()).isNull();
        assertThat(Context.current()).isSameAs(Context.root());
    }

    // ------------------------------------------------------------------ declarations

    @Test
    void declarationsAreChecked() {
        AsyncLocalStorage<String> s = new AsyncLocalStorage<>();
        assertThatThrownBy(() -> PropagatedStorage.ofString(s, "a b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"a b\"");
        assertThatThrownBy(() -> PropagatedStorage.ofString(s, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PropagatedStorage.ofString(s, null)).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> PropagatedStorage.ofString(null, "k")).isInstanceOf(NullPointerException.class).hasMessage("storage");
        assertThatThrownBy(() -> PropagatedStorage.of(s, "k", null, x -> x)).hasMessage("encoder");
        assertThatThrownBy(() -> PropagatedStorage.of(s, "k", x -> x, null)).hasMessage("decoder");
        assertThatThrownBy(() -> PropagatedStorage.ofString(s, "k").withMdcKey("")).isInstanceOf(IllegalArgumentException.class);
        assertThat(PropagatedStorage.ofString(s, "k").withMdcKey(null).mdcKey()).isNull();

        assertThatThrownBy(() -> BaggagePropagation.of(PropagatedStorage.ofString(s, "k"), PropagatedStorage.ofString(REQUEST_ID, "k")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key declared twice: k");
        assertThatThrownBy(() -> BaggagePropagation.of(PropagatedStorage.ofString(s, "a"), PropagatedStorage.ofString(s, "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage declared twice");
        assertThatThrownBy(() -> BaggagePropagation.of((PropagatedStorage<?>[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> BaggagePropagation.of(PropagatedStorage.ofString(s, "a"), null)).isInstanceOf(NullPointerException.class);
        assertThat(PROPAGATION.storages()).containsExactly(REQUEST_ID_ENTRY, USER_ENTRY, LEVEL_ENTRY);
        assertThatThrownBy(() -> PROPAGATION.storages().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void nullArgumentsAreRefusedByName() {
        assertThatThrownBy(() -> PROPAGATION.inject(new HashMap<String, String>(), null)).hasMessage("setter");
        assertThatThrownBy(() -> PROPAGATION.extract(Map.of(), null)).hasMessage("getter");
        assertThatThrownBy(() -> PROPAGATION.wrap(null)).hasMessage("client");
        IncomingContext incoming = PROPAGATION.extract(Map.of(), GETTER);
        assertThatThrownBy(() -> incoming.run((Runnable) null)).hasMessage("fn");
        assertThatThrownBy(() -> incoming.value(PropagatedStorage.ofString(new AsyncLocalStorage<>(), "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpServerPropagationFilter.create(null)).hasMessage("propagation");
        assertThatThrownBy(() -> new ServletPropagationFilter(null)).hasMessage("propagation");
    }
}
