package dev.asynclocal.grpc;

import static dev.asynclocal.grpc.Calls.asClient;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.junit.DetectContextLeaks;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The span current where a call is made is the remote parent on the server, in every callback and
 * in the handler's pool hop; OpenTelemetry's own baggage travels next to the declared stores; and a
 * call made with no span sends none, also on a thread that just made one with a span (in-process
 * with direct executors: the server runs on the client's thread).
 */
@DetectContextLeaks
class TraceContextTest {
    private static final Recorder recorder = new Recorder();
    private static final SdkTracerProvider tracing = SdkTracerProvider.builder().build();
    private static final Tracer tracer = tracing.get("test");
    private static ExecutorService hopPool;
    private static Transport netty;
    private static Transport inProcess;

    @BeforeAll
    static void start() throws Exception {
        hopPool = Executors.newSingleThreadExecutor(Transport.named("hop"));
        netty = Transport.start(Transport.Kind.NETTY, EchoService.create(recorder, hopPool), recorder.listenerRecorder(),
                ServerPropagationInterceptor.create(Stores.SERVER));
        inProcess = Transport.start(Transport.Kind.IN_PROCESS_DIRECT, EchoService.create(recorder, hopPool),
                recorder.listenerRecorder(), new BaggageRecorder(), ServerPropagationInterceptor.create(Stores.SERVER));
    }

    @AfterAll
    static void stop() throws Exception {
        netty.close();
        inProcess.close();
        tracing.close();
        hopPool.shutdownNow();
        assertThat(hopPool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @SuppressWarnings("try")
    @ParameterizedTest
    @EnumSource(value = Transport.Kind.class, names = {"NETTY", "IN_PROCESS_DIRECT"})
    void theCallersSpanIsTheServersRemoteParent(Transport.Kind kind) {
        Transport transport = kind == Transport.Kind.NETTY ? netty : inProcess;
        ManagedChannel channel = transport.channel(ClientPropagationInterceptor.create(Stores.CLIENT), Calls.CALL_KEY);
        String id = "traced-" + kind;
        String untraced = "untraced-" + kind;
        Span span = tracer.spanBuilder("client").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            asClient(id, () -> ClientCalls.blockingServerStreamingCall(channel, Echo.SERVER_STREAMING,
                    Calls.options(id), id).forEachRemaining(answer -> { }));
        } finally {
            span.end();
        }
        asClient(untraced, () -> ClientCalls.blockingUnaryCall(channel, Echo.UNARY, Calls.options(untraced), untraced));

        assertThat(recorder.places(id)).contains("server.split", "server.split.hop", "server.onHalfClose");
        assertThat(recorder.of(id)).allSatisfy(view -> {
            assertThat(view.traceId()).as("%s", view).isEqualTo(span.getSpanContext().getTraceId());
            assertThat(view.spanId()).as("%s", view).isEqualTo(span.getSpanContext().getSpanId());
        });
        assertThat(recorder.of(untraced)).isNotEmpty().allSatisfy(view -> assertThat(view.traceId()).isNull());
    }

    @SuppressWarnings("try")
    @ParameterizedTest
    @EnumSource(value = Transport.Kind.class, names = "IN_PROCESS_DIRECT")
    void openTelemetrysBaggageTravelsNextToTheDeclaredStores(Transport.Kind kind) {
        ManagedChannel channel = inProcess.channel(ClientPropagationInterceptor.create(Stores.CLIENT), Calls.CALL_KEY);
        try (Scope ignored = Baggage.builder().put("tenant", "acme").build().makeCurrent()) {
            asClient("bag-1", () -> ClientCalls.blockingUnaryCall(channel, Echo.UNARY, Calls.options("bag-1"), "bag-1"));
        }
        assertThat(BaggageRecorder.seen).containsEntry("bag-1", "tenant=acme;requestId=bag-1;user=user-of-bag-1");
    }
}
