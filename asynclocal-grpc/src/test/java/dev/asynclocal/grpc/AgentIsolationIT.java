package dev.asynclocal.grpc;

import static dev.asynclocal.grpc.Calls.asClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.junit.DetectContextLeaks;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Under the asynclocal agent (this class runs only in the failsafe JVM started with it), gRPC's
 * threads that a call made inside a request context happens to start (Netty's event loops, gRPC's
 * shared executor, the test's pools) must not keep that request: the next calls, made outside any
 * context on the same threads, see nothing before the interceptors run (raw views), and nothing
 * after. Whatever a raw view shows is what gRPC and the agent left on the thread.
 */
@DetectContextLeaks
class AgentIsolationIT {
    /** Declared nowhere, set only around the first call: must never show up anywhere else. */
    private static final AsyncLocalStorage<String> FIRST_ONLY = new AsyncLocalStorage<>("first-only");
    private static ExecutorService hopPool;

    @BeforeAll
    static void start() {
        assertThat(System.getProperty("asynclocal.agent.jar")).as("run by failsafe with the agent").isNotNull();
        hopPool = Executors.newSingleThreadExecutor(Transport.named("hop"));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        hopPool.shutdownNow();
        assertThat(hopPool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void grpcsOwnExecutorsAndEventLoopsStartedInsideARequestKeepNothing() throws Exception {
        // gRPC's defaults: its shared executor and Netty event loops, started by the first call
        Recorder recorder = new Recorder();
        Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(EchoService.create(recorder, hopPool))
                .intercept(recorder.listenerRecorder())
                .intercept(ServerPropagationInterceptor.create(Stores.SERVER))
                .intercept(RawViews.server(recorder))
                .build().start();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(),
                        InsecureChannelCredentials.create())
                .intercept(RawViews.client(recorder), ClientPropagationInterceptor.create(Stores.CLIENT), Calls.CALL_KEY)
                .build();
        try {
            check(recorder, channel);
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
            assertThat(channel.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void eventLoopsThatRunTheCallbacksKeepNothing() throws Exception {
        for (Transport.Kind kind : List.of(Transport.Kind.NETTY_DIRECT, Transport.Kind.NETTY)) {
            Recorder recorder = new Recorder();
            try (Transport transport = Transport.start(kind, EchoService.create(recorder, hopPool),
                    recorder.listenerRecorder(), ServerPropagationInterceptor.create(Stores.SERVER),
                    RawViews.server(recorder))) {
                check(recorder, transport.channel(RawViews.client(recorder), ClientPropagationInterceptor.create(Stores.CLIENT),
                        Calls.CALL_KEY));
                assertThat(transport.idleThreads()).as("%s", kind)
                        .allSatisfy(view -> assertThat(view.isEmpty()).as("%s", view).isTrue());
            }
        }
    }

    private static void check(Recorder recorder, ManagedChannel channel) {
        FIRST_ONLY.run("leaked", () -> asClient("first", () ->
                assertThat(ClientCalls.blockingUnaryCall(channel, Echo.UNARY, Calls.options("first"), "first"))
                        .isEqualTo("first:first")));
        for (int i = 0; i < 20; i++) {
            String key = "later-" + i;
            assertThat(ClientCalls.blockingUnaryCall(channel, Echo.UNARY, Calls.options(key), key))
                    .isEqualTo(key + ":null");
            await().atMost(Duration.ofSeconds(30)).until(() -> recorder.places(key).contains("server.onComplete"));
            assertThat(recorder.of(key)).as(key).isNotEmpty().allSatisfy(view -> {
                assertThat(view.clientId()).as("%s", view).isNull();
                assertThat(view.clientLocal()).as("%s", view).isNull();
                assertThat(view.serverId()).as("%s", view).isNull();
                assertThat(view.mdcId()).as("%s", view).isNull();
                assertThat(view.traceId()).as("%s", view).isNull();
            });
            assertThat(recorder.places(key)).contains("raw.server.startCall", "raw.server.onHalfClose",
                    "raw.client.onMessage", "raw.client.onClose");
        }
        assertThat(FIRST_ONLY.getStore()).isNull();
        assertThat(recorder.of("first")).allSatisfy(view -> assertThat(view.where().startsWith("raw.server")
                ? view.clientLocal() == null : true).as("%s", view).isTrue());
    }
}
