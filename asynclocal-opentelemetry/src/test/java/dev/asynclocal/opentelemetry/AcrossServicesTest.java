package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end: A calls B calls C, every hop asynchronous (see {@link ThreeServices}). The request
 * id and the user set in A arrive in C's handler and in C's log lines; the trace is one trace with
 * each service's span the parent of the next; a request without headers starts afresh; and what
 * a client may send that is too big, malformed or undecodable is dropped without failing the
 * request or leaving anything half-decoded in a store.
 */
class AcrossServicesTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";
    private static final String NO_PARENT = "0000000000000000";
    private static final String FRESH = "<fresh>";

    private static ThreeServices services;
    private static HttpClient raw;

    @BeforeAll
    static void start() throws Exception {
        services = new ThreeServices();
        raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        services.close();
    }

    @BeforeEach
    void reset() {
        services.logs.list.clear();
    }

    /** One service's report line, as fields. */
    record Seen(String service, String requestId, String user, String trace, String parent) {
        static Seen parse(String line) {
            Map<String, String> fields = new HashMap<>();
            String[] parts = line.trim().split(" ");
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                fields.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            String user = fields.get("user");
            return new Seen(parts[0], fields.get("requestId"), "null".equals(user) ? null : user, fields.get("trace"), fields.get("parent"));
        }
    }

    /** The reply of the service called: status, its X-Request-Id, and what each service saw. */
    record Reply(int status, String requestIdHeader, Map<String, Seen> seen) {
    }

    private static Reply call(URI uri, Map<String, List<String>> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        headers.forEach((name, values) -> values.forEach(value -> request.header(name, value)));
        HttpResponse<String> response = raw.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Seen> seen = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            Seen one = Seen.parse(line);
            seen.put(one.service(), one);
        }
        return new Reply(response.statusCode(), response.headers().firstValue("X-Request-Id").orElse(null), seen);
    }

    private static List<ILoggingEvent> logsOf(String service) {
        return services.logs.list.stream().filter(e -> e.getLoggerName().equals("service." + service)).collect(Collectors.toList());
    }

    @Test
    void theRequestIdUserAndTraceSetInAReachC() throws Exception {
        Reply reply = call(services.uriA, Map.of("X-User", List.of("alice")));
        assertThat(reply.status()).isEqualTo(200);
        String id = reply.requestIdHeader();
        assertThat(id).matches("[0-9a-f]{32}");   // made by A's request-id filter: the test sent none

        Seen a = reply.seen().get("A");
        Seen b = reply.seen().get("B");
        Seen c = reply.seen().get("C");
        assertThat(List.of(a, b, c)).allSatisfy(seen -> {
            assertThat(seen.requestId()).isEqualTo(id);
            assertThat(seen.user()).isEqualTo("alice");
            assertThat(seen.trace()).isEqualTo(a.trace());
        });
        assertThat(a.parent()).isEqualTo(NO_PARENT);
        var spans = Tracing.spansByTraceAndName(a.trace());
        assertThat(b.parent()).isEqualTo(spans.get("A").getSpanId());
        assertThat(c.parent()).isEqualTo(spans.get("B").getSpanId());
        assertThat(spans.get("B").getParentSpanContext().isRemote()).isTrue();
        assertThat(spans.get("C").getParentSpanContext().isRemote()).isTrue();

        // C's log line, written on C's pool thread, carries both values in its MDC
        List<ILoggingEvent> inC = logsOf("C");
        assertThat(inC).hasSize(1);
        assertThat(inC.get(0).getThreadName()).startsWith("pool-");
        assertThat(inC.get(0).getMDCPropertyMap()).containsEntry("requestId", id).containsEntry("user", "alice");
        assertThat(logsOf("B")).singleElement().satisfies(e ->
                assertThat(e.getMDCPropertyMap()).containsEntry("requestId", id).containsEntry("user", "alice"));
        // A's stage after B answered runs on A's client thread, in A's request context
        assertThat(logsOf("A")).extracting(e -> e.getMDCPropertyMap().get("requestId")).containsExactly(id, id);
    }

    @Test
    void aRequestWithoutHeadersGetsAFreshContextEvenOnAReusedThread() throws Exception {
        Reply full = call(services.uriA, Map.of("X-User", List.of("bob")));
        assertThat(full.seen().get("C").user()).isEqualTo("bob");
        // C has one server thread and one pool thread: this request runs on the same threads
        Reply bare = call(services.uriC, Map.of());
        Seen c = bare.seen().get("C");
        assertThat(c.requestId()).matches("[0-9a-f]{32}").isNotEqualTo(full.requestIdHeader()).isEqualTo(bare.requestIdHeader());
        assertThat(c.user()).isNull();
        assertThat(c.parent()).isEqualTo(NO_PARENT);
        assertThat(c.trace()).isNotEqualTo(full.seen().get("C").trace());
        assertThat(logsOf("C")).last().satisfies(e -> assertThat(e.getMDCPropertyMap()).doesNotContainKey("user"));
    }

    @Test
    void concurrentRequestsNeverSwapValues() throws Exception {
        int requests = 24;
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String user = "user" + (char) ('a' + i);
            replies.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return call(services.uriA, Map.of("X-User", List.of(user)));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
        }
        for (int i = 0; i < requests; i++) {
            Reply reply = replies.get(i).get();
            String user = "user" + (char) ('a' + i);
            assertThat(reply.seen().values()).hasSize(3).allSatisfy(seen -> {
                assertThat(seen.user()).isEqualTo(user);
                assertThat(seen.requestId()).isEqualTo(reply.requestIdHeader());
            });
        }
        // every log line of C carries a matching pair: the id A made for that user
        Map<String, String> userById = new HashMap<>();
        for (ILoggingEvent event : logsOf("C")) {
            Map<String, String> mdc = event.getMDCPropertyMap();
            assertThat(userById.put(mdc.get("requestId"), mdc.get("user"))).isNull();
        }
        assertThat(userById).hasSize(requests);
    }

    /**
     * What a caller may send, and what the first service it reaches makes of it. Each case is sent
     * both to B (Jetty, servlet filter) and to C (JDK server, HttpServer filter); every request
     * must succeed, and the stores hold either the value sent or nothing.
     */
    static Stream<Arguments> inputs() {
        String pad4097 = "pad=" + "x".repeat(4093);
        String over8k = "requestId=r-6,user=dan," + IntStream.range(0, 3).mapToObj(i -> "p" + i + "=" + "x".repeat(3000))
                .collect(Collectors.joining(","));
        String members181 = "requestId=r-7,user=erin," + IntStream.range(0, 179).mapToObj(i -> "k" + i + "=v")
                .collect(Collectors.joining(","));
        String members180 = "requestId=r-8,user=fay," + IntStream.range(0, 178).mapToObj(i -> "k" + i + "=v")
                .collect(Collectors.joining(","));
        return Stream.of(
            //           name                                     traceparent fields                  baggage fields                                   requestId  user     parent   debug line
            Arguments.of("no headers",                            List.of(),                          List.of(),                                       FRESH,     null,    NO_PARENT, null),
            Arguments.of("valid",                                 List.of(TRACEPARENT),               List.of("requestId=r-1,user=alice"),            "r-1",     "alice", SPAN_ID, null),
            Arguments.of("user does not decode",                  List.of(TRACEPARENT),               List.of("requestId=r-2,user=Alice!"),           "r-2",     null,    SPAN_ID, "user dropped: its decoder threw"),
            Arguments.of("request id refused by its decoder",     List.of(),                          List.of("requestId=has%20space,user=bob"),      FRESH,     "bob",   NO_PARENT, "requestId dropped: value refused"),
            Arguments.of("malformed entry beside valid ones",     List.of(),                          List.of("requestId=r-3,bad entry,user=carol"),  "r-3",     "carol", NO_PARENT, "malformed baggage entry dropped"),
            Arguments.of("bad percent-escape",                    List.of(),                          List.of("requestId=r-4,user=car%zzol"),         "r-4",     null,    NO_PARENT, "malformed baggage entry dropped"),
            Arguments.of("invalid UTF-8 once decoded",            List.of(),                          List.of("requestId=r-4b,user=%C3%28"),          "r-4b",    null,    NO_PARENT, "malformed baggage entry dropped"),
            Arguments.of("an entry over 4096 bytes",              List.of(),                          List.of("requestId=r-5,user=dave," + pad4097),  "r-5",     "dave",  NO_PARENT, "over the W3C limit of 4096"),
            Arguments.of("baggage over 8192 bytes",               List.of(TRACEPARENT),               List.of(over8k),                                 FRESH,     null,    SPAN_ID, "over the W3C limit of 8192"),
            Arguments.of("181 entries",                           List.of(),                          List.of(members181),                             FRESH,     null,    NO_PARENT, "181 entries"),
            Arguments.of("180 entries",                           List.of(),                          List.of(members180),                             "r-8",     "fay",   NO_PARENT, null),
            Arguments.of("two baggage fields",                    List.of(),                          List.of("requestId=r-9", "user=gus"),           "r-9",     "gus",   NO_PARENT, null),
            Arguments.of("malformed traceparent",                 List.of("00-xyz-00f067aa0ba902b7-01"), List.of("requestId=r-10,user=hal"),       "r-10",    "hal",   NO_PARENT, "malformed traceparent dropped"),
            Arguments.of("all-zero trace id",                     List.of("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), List.of("user=ida"), FRESH, "ida", NO_PARENT, "malformed traceparent dropped"),
            Arguments.of("version ff",                            List.of("ff-" + TRACE_ID + "-" + SPAN_ID + "-01"), List.of(),                    FRESH,     null,    NO_PARENT, "malformed traceparent dropped"),
            Arguments.of("two traceparent fields",                List.of(TRACEPARENT, TRACEPARENT),  List.of("user=jon"),                         FRESH,     "jon",   NO_PARENT, "W3C allows one"),
            Arguments.of("traceparent over 512 characters",       List.of(TRACEPARENT + "-" + "a".repeat(600)), List.of(),                         FRESH,     null,    NO_PARENT, "traceparent dropped: 656 characters"),
            Arguments.of("empty baggage",                         List.of(),                          List.of(" , ,"),                                FRESH,     null,    NO_PARENT, null));
    }

    @ParameterizedTest(name = "{0} (via B)")
    @MethodSource("inputs")
    void inputsAtB(String name, List<String> traceparent, List<String> baggage, String requestId, String user, String parent,
            String debugLine) throws Exception {
        check(services.uriB, "B", traceparent, baggage, requestId, user, parent, debugLine);
    }

    @ParameterizedTest(name = "{0} (via C)")
    @MethodSource("inputs")
    void inputsAtC(String name, List<String> traceparent, List<String> baggage, String requestId, String user, String parent,
            String debugLine) throws Exception {
        check(services.uriC, "C", traceparent, baggage, requestId, user, parent, debugLine);
    }

    private static void check(URI uri, String entry, List<String> traceparent, List<String> baggage, String requestId, String user,
            String parent, String debugLine) throws Exception {
        Map<String, List<String>> headers = new HashMap<>();
        if (!traceparent.isEmpty()) {
            headers.put("traceparent", traceparent);
        }
        if (!baggage.isEmpty()) {
            headers.put("baggage", baggage);
        }
        Reply reply;
        try (LogCapture log = new LogCapture()) {
            reply = call(uri, headers);
            if (debugLine == null) {
                assertThat(log.debugMessages()).isEmpty();
            } else {
                assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).contains(debugLine));
            }
            assertThat(log.records()).allSatisfy(r -> assertThat(r.getLevel().intValue()).isLessThan(java.util.logging.Level.INFO.intValue()));
        }
        assertThat(reply.status()).isEqualTo(200);
        Seen first = reply.seen().get(entry);
        if (FRESH.equals(requestId)) {
            assertThat(first.requestId()).matches("[0-9a-f]{32}");
        } else {
            assertThat(first.requestId()).isEqualTo(requestId);
        }
        assertThat(reply.requestIdHeader()).isEqualTo(first.requestId());
        assertThat(first.user()).isEqualTo(user);
        assertThat(first.parent()).isEqualTo(parent);
        if (SPAN_ID.equals(parent)) {
            assertThat(first.trace()).isEqualTo(TRACE_ID);
        }
        // whatever the entry decided, the services after it see exactly the same
        assertThat(reply.seen().values()).allSatisfy(seen -> {
            assertThat(seen.requestId()).isEqualTo(first.requestId());
            assertThat(seen.user()).isEqualTo(user);
            assertThat(seen.trace()).isEqualTo(first.trace());
        });
    }
}
