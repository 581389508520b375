package dev.asynclocal.grpc;

import static dev.asynclocal.grpc.Calls.asClient;
import static dev.asynclocal.grpc.Calls.options;
import static dev.asynclocal.grpc.Calls.userOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.junit.DetectContextLeaks;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every kind of call, through stubs' helpers and raw calls, on each transport: Netty on loopback and
 * in-process, each with gRPC's executors and with callbacks on the transport's own threads. Each
 * test checks every view its calls recorded: server callbacks see exactly the received stores
 * (never the client's own instances, never a store the client kept for itself), client callbacks
 * exactly the caller's, both sides the call's deadline; and afterwards no thread of the transport
 * holds anything.
 */
@DetectContextLeaks
class CallKindsTest {
    private static final Recorder recorder = new Recorder();
    private static final Map<Transport.Kind, Transport> transports = new EnumMap<>(Transport.Kind.class);
    private static final Map<Transport.Kind, ManagedChannel> channels = new EnumMap<>(Transport.Kind.class);
    private static final AtomicInteger ids = new AtomicInteger();
    private static ExecutorService hopPool;
    private static ExecutorService callbackPool;

    @BeforeAll
    static void start() throws Exception {
        hopPool = Executors.newFixedThreadPool(2, Transport.named("hop"));
        callbackPool = Executors.newFixedThreadPool(2, Transport.named("callbacks"));
        for (Transport.Kind kind : Transport.Kind.values()) {
            Transport transport = Transport.start(kind, EchoService.create(recorder, hopPool),
                    recorder.listenerRecorder(), ServerPropagationInterceptor.create(Stores.SERVER));
            transports.put(kind, transport);
            channels.put(kind, transport.channel(ClientPropagationInterceptor.create(Stores.CLIENT), Calls.CALL_KEY));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Transport transport : transports.values()) {
            transport.close();
        }
        hopPool.shutdownNow();
        callbackPool.shutdownNow();
        assertThat(hopPool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(callbackPool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void clear() {
        recorder.clear();
    }

    private static String newId(Transport.Kind kind) {
        return kind.name().toLowerCase() + "-" + ids.incrementAndGet();
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void blockingUnary(Transport.Kind kind) throws Exception {
        String id = newId(kind);
        String[] answer = new String[1];
        asClient(id, () -> answer[0] = ClientCalls.blockingUnaryCall(channels.get(kind), Echo.UNARY, options(id), id));

        assertThat(answer[0]).isEqualTo(id + ":" + id);
        assertServerSawOnly(id, "server.startCall", "server.onMessage", "server.onHalfClose", "server.unary",
                "server.onComplete");
        assertIdle(kind);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void asyncUnaryObserverRunsInTheCallersContext(Transport.Kind kind) throws Exception {
        String id = newId(kind);
        CountDownLatch done = new CountDownLatch(1);
        asClient(id, () -> ClientCalls.asyncUnaryCall(channels.get(kind).newCall(Echo.UNARY, options(id)), id,
                new RecordingObserver(id, done)));

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertClientSaw(id, "client.onNext", "client.onCompleted");
        assertServerSawOnly(id, "server.unary", "server.onComplete");
        assertIdle(kind);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void futureUnaryCallbacksRunInTheCallersContext(Transport.Kind kind) throws Exception {
        String id = newId(kind);
        CountDownLatch done = new CountDownLatch(2);
        ListenableFuture<?>[] future = new ListenableFuture<?>[1];
        asClient(id, () -> {
            ListenableFuture<String> response = ClientCalls.futureUnaryCall(
                    channels.get(kind).newCall(Echo.UNARY, options(id)), id);
            future[0] = response;
            // on the thread that completes the future: gRPC's, inside the response listener
            Futures.addCallback(response, new RecordingCallback(id, "client.future.direct", done),
                    MoreExecutors.directExecutor());
            // on a pool that propagates: the context where the callback was added
            Futures.addCallback(response, new RecordingCallback(id, "client.future.pool", done),
                    AsyncExecutors.wrap(callbackPool));
        });

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(future[0].get()).isEqualTo(id + ":" + id);
        assertClientSaw(id, "client.future.direct", "client.future.pool");
        assertServerSawOnly(id, "server.unary");
        assertIdle(kind);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void serverStreaming(Transport.Kind kind) throws Exception {
        String id = newId(kind);
        CountDownLatch done = new CountDownLatch(1);
        asClient(id, () -> ClientCalls.asyncServerStreamingCall(
                channels.get(kind).newCall(Echo.SERVER_STREAMING, options(id)), id, new RecordingObserver(id, done)));

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.places(id)).filteredOn("client.onNext"::equals).hasSize(3);
        assertClientSaw(id, "client.onNext", "client.onCompleted");
        // the last response is sent from a pool task the handler started: an asynclocal hop
        assertServerSawOnly(id, "server.split", "server.split.hop", "server.onHalfClose");
        assertIdle(kind);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void clientStreaming(Transport.Kind kind) throws Exception {
        String id = newId(kind);
        CountDownLatch done = new CountDownLatch(1);
        asClient(id, () -> {
            StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
                    channels.get(kind).newCall(Echo.CLIENT_STREAMING, options(id)), new RecordingObserver(id, done));
            requests.onNext(id);
            requests.onNext(id);
            requests.onCompleted();
        });

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertClientSaw(id, "client.onNext", "client.onCompleted");
        assertThat(recorder.places(id)).filteredOn("server.join.onNext"::equals).hasSize(2);
        assertServerSawOnly(id, "server.join.onNext", "server.join.onCompleted", "server.onMessage",
                "server.onHalfClose", "server.onComplete");
        assertIdle(kind);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void bidiStreaming(Transport.Kind kind) throws Exception {
        String id = newId(kind);
        CountDownLatch done = new CountDownLatch(1);
        asClient(id, () -> {
            StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
                    channels.get(kind).newCall(Echo.BIDI_STREAMING, options(id)), new RecordingObserver(id, done));
            for (int i = 0; i < 3; i++) {
                requests.onNext(id);
            }
            requests.onCompleted();
        });

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.places(id)).filteredOn("client.onNext"::equals).hasSize(3);
        assertClientSaw(id, "client.onNext", "client.onCompleted");
        assertServerSawOnly(id, "server.chat.onNext", "server.chat.onCompleted", "server.onMessage",
                "server.onHalfClose", "server.onComplete");
        assertIdle(kind);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void cancellationRunsInTheCallsContextOnBothSides(Transport.Kind kind) throws Exception {
        String id = newId(kind);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<ClientCallStreamObserver<String>> requests = new AtomicReference<>();
        asClient(id, () -> {
            requests.set((ClientCallStreamObserver<String>) ClientCalls.asyncBidiStreamingCall(
                    channels.get(kind).newCall(Echo.BIDI_STREAMING, options(id)), new RecordingObserver(id, done)));
            requests.get().onNext(id);
            requests.get().onNext("hold");
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.places(id).contains("server.chat.hold"));
        requests.get().cancel("the test cancels", null);

        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.places(id).contains("server.onCancel"));
        assertClientSaw(id, "client.onNext", "client.onError");
        assertServerSawOnly(id, "server.chat.onNext", "server.chat.hold", "server.onCancel",
                "server.chat.onCancelHandler");
        assertIdle(kind);
    }

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void rawListenerCallbacksRunInTheCallersContext(Transport.Kind kind) throws Exception {
        String id = newId(kind);
        CountDownLatch closed = new CountDownLatch(1);
        asClient(id, () -> {
            ClientCall<String, String> call = channels.get(kind).newCall(Echo.BIDI_STREAMING, options(id));
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onHeaders(Metadata headers) {
                    recorder.record(id, "client.onHeaders");
                }

                @Override
                public void onMessage(String message) {
                    recorder.record(id, "client.onMessage");
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    recorder.record(id, "client.onClose");
                    closed.countDown();
                }

                @Override
                public void onReady() {
                    recorder.record(id, "client.onReady");
                }
            }, new Metadata());
            call.request(10);
            call.sendMessage(id);
            call.halfClose();
        });

        assertThat(closed.await(30, TimeUnit.SECONDS)).isTrue();
        assertClientSaw(id, "client.onHeaders", "client.onMessage", "client.onClose", "client.onReady");
        assertServerSawOnly(id, "server.onReady", "server.chat.onNext", "server.onComplete");
        assertIdle(kind);
    }

    /** Every server view of call {@code id} is exactly right, and those named are among them. */
    private static void assertServerSawOnly(String id, String... mustInclude) {
        // onComplete comes after the client has its answer
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(recorder.places(id)).contains(mustInclude));
        List<View> views = recorder.of(id);
        for (View view : views) {
            if (view.where().startsWith("server.")) {
                assertThat(view.isServerOf(id, userOf(id))).as("%s", view).isTrue();
                assertThat(view.deadlineMillis()).as("the call's deadline in %s", view).isNotNull()
                        .isBetween(1L, 60_000L);
            }
        }
    }

    private static void assertClientSaw(String id, String... mustInclude) {
        List<View> views = recorder.of(id);
        assertThat(views).extracting(View::where).contains(mustInclude);
        for (View view : views) {
            if (view.where().startsWith("client.")) {
                assertThat(view.isClientOf(id, userOf(id))).as("%s", view).isTrue();
            }
        }
    }

    private static void assertIdle(Transport.Kind kind) throws Exception {
        assertThat(View.now("test thread").isEmpty()).as("the test thread").isTrue();
        assertThat(transports.get(kind).idleThreads()).allSatisfy(view -> assertThat(view.isEmpty()).as("%s", view).isTrue());
    }

    private static final class RecordingObserver implements StreamObserver<String> {
        private final String id;
        private final CountDownLatch done;

        RecordingObserver(String id, CountDownLatch done) {
            this.id = id;
            this.done = done;
        }

        @Override
        public void onNext(String value) {
            assertThat(value).isEqualTo(id + ":" + id);
            recorder.record(id, "client.onNext");
        }

        @Override
        public void onError(Throwable t) {
            recorder.record(id, "client.onError");
            done.countDown();
        }

        @Override
        public void onCompleted() {
            recorder.record(id, "client.onCompleted");
            done.countDown();
        }
    }

    private static final class RecordingCallback implements FutureCallback<String> {
        private final String id;
        private final String where;
        private final CountDownLatch done;

        RecordingCallback(String id, String where, CountDownLatch done) {
            this.id = id;
            this.where = where;
            this.done = done;
        }

        @Override
        public void onSuccess(String result) {
            recorder.record(id, where);
            done.countDown();
        }

        @Override
        public void onFailure(Throwable t) {
            recorder.record(id, where + ".failure");
            done.countDown();
        }
    }
}
