package dev.asynclocal.grpc;

import static dev.asynclocal.grpc.Calls.asClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.junit.DetectContextLeaks;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a caller may send that is wrong: each row goes to a Netty server on loopback as raw metadata
 * (no propagation on the client), and the call must succeed, with exactly the stores that survived
 * the checks and one debug line saying what was dropped, never a line above debug. And on the
 * sending side, a store that cannot be sent leaves the call alone.
 */
@DetectContextLeaks
class MalformedMetadataTest {
    private static final Metadata.Key<String> BAGGAGE = Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    private static final String VALID_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static final Recorder recorder = new Recorder();
    private static ExecutorService hopPool;
    private static Transport transport;
    private static JulCapture otelLog;
    private static JulCapture grpcLog;

    @BeforeAll
    static void start() throws Exception {
        hopPool = Executors.newSingleThreadExecutor(Transport.named("hop"));
        transport = Transport.start(Transport.Kind.NETTY, EchoService.create(recorder, hopPool),
                recorder.listenerRecorder(), ServerPropagationInterceptor.create(Stores.SERVER));
    }

    @AfterAll
    static void stop() throws Exception {
        transport.close();
        hopPool.shutdownNow();
        assertThat(hopPool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @BeforeEach
    void captureLogs() {
        otelLog = new JulCapture("dev.asynclocal.opentelemetry");
        grpcLog = new JulCapture(Log.NAME);
    }

    @AfterEach
    void releaseLogs() {
        otelLog.close();
        grpcLog.close();
        recorder.clear();
    }

    static Stream<Arguments> rows() {
        String filler = ",k%d=" + "v".repeat(60);
        StringBuilder overTotal = new StringBuilder("requestId=ok-5,user=u5");
        for (int i = 0; overTotal.length() <= 8192; i++) {
            overTotal.append(String.format(filler, i));
        }
        StringBuilder manyMembers = new StringBuilder("requestId=ok-6,user=u6");
        for (int i = 0; i < 180; i++) {
            manyMembers.append(",m").append(i).append("=1");
        }
        return Stream.of(
                Arguments.of("well-formed", List.of("requestId=ok-1,user=alice"), null, "ok-1", "alice", null),
                Arguments.of("a value the decoder refuses", List.of("requestId=bad%20id,user=u2"), null, null, "u2",
                        "refused by its decoder"),
                Arguments.of("a member without '='", List.of("requestId=ok-3,user"), null, "ok-3", null, "malformed"),
                Arguments.of("one member over 4096 bytes", List.of("requestId=ok-4,user=" + "a".repeat(5000)), null,
                        "ok-4", null, "4096"),
                Arguments.of("all of it over 8192 bytes", List.of(overTotal.toString()), null, null, null, "8192"),
                Arguments.of("more than 180 members", List.of(manyMembers.toString()), null, null, null, "180"),
                Arguments.of("a bad escape", List.of("requestId=ok-7,user=%zz"), null, "ok-7", null, "malformed"),
                Arguments.of("a bad traceparent, good baggage", List.of("requestId=ok-8,user=u8"), "00-xyz", "ok-8", "u8",
                        "traceparent"),
                Arguments.of("a good traceparent", List.of("requestId=ok-9"), VALID_TRACEPARENT, "ok-9", null, null),
                Arguments.of("two baggage entries, read as one list", List.of("requestId=ok-10", "user=u10"), null,
                        "ok-10", "u10", null),
                Arguments.of("only commas and spaces", List.of(" , ,, "), null, null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void theCallSucceedsWithWhatSurvived(String row, List<String> baggage, String traceparent, String expectedId,
            String expectedUser, String expectedDebug) {
        Metadata headers = new Metadata();
        baggage.forEach(value -> headers.put(BAGGAGE, value));
        if (traceparent != null) {
            headers.put(TRACEPARENT, traceparent);
        }
        ManagedChannel raw = transport.channel(MetadataUtils.newAttachHeadersInterceptor(headers));
        String key = "row-" + Math.abs(row.hashCode());

        String answer = ClientCalls.blockingUnaryCall(raw, Echo.UNARY, Calls.options(key), key);

        assertThat(answer).isEqualTo(key + ":" + expectedId);
        assertThat(recorder.of(key)).isNotEmpty().allSatisfy(view -> {
            assertThat(view.serverId()).as("%s", view).isEqualTo(expectedId);
            assertThat(view.serverUser()).as("%s", view).isEqualTo(expectedUser);
            assertThat(view.mdcId()).as("%s", view).isEqualTo(expectedId);
            assertThat(view.clientId()).isNull();
            assertThat(view.traceId()).as("the remote parent's trace").isEqualTo(
                    VALID_TRACEPARENT.equals(traceparent) ? VALID_TRACEPARENT.substring(3, 35) : null);
        });
        if (expectedDebug == null) {
            assertThat(otelLog.debugMessages()).isEmpty();
        } else {
            assertThat(otelLog.debugMessages()).anySatisfy(line -> assertThat(line).contains(expectedDebug));
        }
        assertThat(otelLog.aboveDebug()).isEmpty();
        assertThat(grpcLog.aboveDebug()).isEmpty();
    }

    @Test
    void aStoreThatCannotBeSentLeavesTheCallAlone() {
        AsyncLocalStorage<String> broken = new AsyncLocalStorage<>("broken");
        AsyncLocalStorage<String> big = new AsyncLocalStorage<>("big");
        BaggagePropagation propagation = BaggagePropagation.of(
                PropagatedStorage.ofString(Stores.CLIENT_ID, "requestId"),
                PropagatedStorage.of(broken, "user", value -> {
                    throw new IllegalStateException("encoder fails");
                }, value -> value),
                PropagatedStorage.ofString(big, "big"));
        ManagedChannel channel = transport.channel(ClientPropagationInterceptor.create(propagation));

        String[] answer = new String[1];
        asClient("sent-1", () -> broken.run("x", () -> big.run("b".repeat(5000), () ->
                answer[0] = ClientCalls.blockingUnaryCall(channel, Echo.UNARY, Calls.options("sent-1"), "sent-1"))));

        assertThat(answer[0]).isEqualTo("sent-1:sent-1");
        assertThat(recorder.of("sent-1")).allSatisfy(view -> assertThat(view.serverUser()).isNull());
        assertThat(otelLog.debugMessages()).anySatisfy(line -> assertThat(line).contains("encoder threw"))
                .anySatisfy(line -> assertThat(line).contains("big not sent"));
    }

    @Test
    void theApplicationsOwnBaggageEntriesAreReplaced() {
        Metadata stale = new Metadata();
        stale.put(BAGGAGE, "requestId=stale");
        stale.put(BAGGAGE, "user=stale");
        // The attaching interceptor runs first (given last), then the propagation replaces its entries.
        ManagedChannel channel = transport.channel(ClientPropagationInterceptor.create(Stores.CLIENT),
                MetadataUtils.newAttachHeadersInterceptor(stale));

        String[] answer = new String[1];
        asClient("fresh-1", () -> answer[0] =
                ClientCalls.blockingUnaryCall(channel, Echo.UNARY, Calls.options("fresh-1"), "fresh-1"));

        assertThat(answer[0]).isEqualTo("fresh-1:fresh-1");
        assertThat(recorder.of("fresh-1")).allSatisfy(view -> assertThat(view.serverUser()).isEqualTo("user-of-fresh-1"));
    }

    @SuppressWarnings("try")
    @Test
    void bigBaggageIsCutToWhatAServerWithDefaultLimitsTakes() throws Exception {
        Recorder seen = new Recorder();
        try (Transport defaults = Transport.startWithDefaultLimits(EchoService.create(seen, hopPool),
                seen.listenerRecorder(), ServerPropagationInterceptor.create(Stores.SERVER))) {
            ManagedChannel channel = defaults.channel(ClientPropagationInterceptor.create(Stores.CLIENT), Calls.CALL_KEY);
            ManagedChannel w3cSized = defaults.channel(
                    ClientPropagationInterceptor.create(Stores.CLIENT).withMaxBaggageBytes(8192), Calls.CALL_KEY);
            BaggageBuilder big = Baggage.builder();
            for (int i = 0; i < 60; i++) {
                big.put("k" + i, "v".repeat(125));               // 7.6 KB once encoded: within W3C's 8192
            }
            String[] answer = new String[1];
            Throwable[] failure = new Throwable[1];
            try (Scope ignored = big.build().makeCurrent()) {
                asClient("big-1", () -> answer[0] =
                        ClientCalls.blockingUnaryCall(channel, Echo.UNARY, Calls.options("big-1"), "big-1"));
                failure[0] = catchThrowable(() -> asClient("big-2", () ->
                        ClientCalls.blockingUnaryCall(w3cSized, Echo.UNARY, Calls.options("big-2"), "big-2")));
            }

            assertThat(answer[0]).isEqualTo("big-1:big-1");
            assertThat(seen.of("big-1")).allSatisfy(view -> assertThat(view.serverUser()).isEqualTo("user-of-big-1"));
            assertThat(grpcLog.debugMessages()).anySatisfy(line -> assertThat(line).contains("not sent")
                    .contains("4096"));
            // what the limit is for: the same call with all 7.6 KB fails on gRPC's default server
            assertThat(Status.fromThrowable(failure[0]).getCode()).isEqualTo(Status.Code.INTERNAL);
        }
    }

    @Test
    void argumentsAreChecked() {
        ClientPropagationInterceptor interceptor = ClientPropagationInterceptor.create(Stores.CLIENT);
        assertThat(interceptor.maxBaggageBytes()).isEqualTo(4096);
        assertThat(interceptor.withMaxBaggageBytes(8192).maxBaggageBytes()).isEqualTo(8192);
        assertThat(catchThrowable(() -> interceptor.withMaxBaggageBytes(0))).isInstanceOf(IllegalArgumentException.class);
        assertThat(catchThrowable(() -> interceptor.withMaxBaggageBytes(8193))).isInstanceOf(IllegalArgumentException.class);
        assertThat(catchThrowable(() -> ClientPropagationInterceptor.create(null))).isInstanceOf(NullPointerException.class);
        assertThat(catchThrowable(() -> ServerPropagationInterceptor.create(null))).isInstanceOf(NullPointerException.class);
        ManagedChannel channel = transport.channel(interceptor);
        assertThat(catchThrowable(() -> channel.newCall(Echo.UNARY, Calls.options("n")).start(null, new Metadata())))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("responseListener");
    }

    @Test
    void metadataOverTheServersLimitIsRefusedByGrpcBeforeAnyInterceptor() throws Exception {
        // What gRPC itself does with more metadata than a server takes (8 KiB by default): documented,
        // not ours to change. A client sends at most 8192 bytes of baggage.
        Recorder unused = new Recorder();
        try (Transport strict = Transport.startWithDefaultLimits(EchoService.create(unused, hopPool),
                ServerPropagationInterceptor.create(Stores.SERVER))) {
            Metadata headers = new Metadata();
            headers.put(BAGGAGE, "requestId=ok,user=" + "a".repeat(9000));
            ManagedChannel raw = strict.channel(MetadataUtils.newAttachHeadersInterceptor(headers));

            Throwable failure = catchThrowable(() -> ClientCalls.blockingUnaryCall(raw, Echo.UNARY, Calls.options("x"), "x"));

            assertThat(Status.fromThrowable(failure).getCode()).isNotEqualTo(Status.Code.OK);
            assertThat(unused.of("x")).isEmpty();
            List<String> seen = new ArrayList<>(otelLog.debugMessages());
            assertThat(seen).isEmpty();
        }
    }
}
