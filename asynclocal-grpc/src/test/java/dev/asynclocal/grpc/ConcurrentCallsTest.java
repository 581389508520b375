package dev.asynclocal.grpc;

import static dev.asynclocal.grpc.Calls.asClient;
import static dev.asynclocal.grpc.Calls.options;
import static dev.asynclocal.grpc.Calls.userOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asynclocal.junit.DetectContextLeaks;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many calls at once on each transport, callbacks on gRPC's executors or on the transport's own
 * threads (Netty's event loops; in-process, the other side's thread): 8 clients × 100 async calls
 * each, unary and bidirectional in turn, all in flight together per client. Every server and
 * client view of every call is exactly its own call's, and no thread keeps anything.
 */
@DetectContextLeaks
class ConcurrentCallsTest {
    private static final int CLIENTS = 8;
    private static final int CALLS = 100;

    @ParameterizedTest
    @EnumSource(Transport.Kind.class)
    void everyCallbackSeesItsOwnCallOnly(Transport.Kind kind) throws Exception {
        Recorder recorder = new Recorder();
        ExecutorService hop = Executors.newFixedThreadPool(2, Transport.named("hop"));
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, Transport.named("client"));
        try (Transport transport = Transport.start(kind, EchoService.create(recorder, hop), recorder.listenerRecorder(),
                ServerPropagationInterceptor.create(Stores.SERVER))) {
            ManagedChannel channel = transport.channel(ClientPropagationInterceptor.create(Stores.CLIENT), Calls.CALL_KEY);
            CountDownLatch done = new CountDownLatch(CLIENTS * CALLS);
            List<Future<?>> started = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                started.add(clients.submit(() -> {
                    for (int n = 0; n < CALLS; n++) {
                        String id = kind.name().toLowerCase() + "-" + client + "-" + n;
                        boolean unary = n % 2 == 0;
                        asClient(id, () -> {
                            StreamObserver<String> answers = new StreamObserver<>() {
                                @Override
                                public void onNext(String value) {
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
                            };
                            if (unary) {
                                ClientCalls.asyncUnaryCall(channel.newCall(Echo.UNARY, options(id)), id, answers);
                            } else {
                                StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
                                        channel.newCall(Echo.BIDI_STREAMING, options(id)), answers);
                                requests.onNext(id);
                                requests.onNext(id);
                                requests.onCompleted();
                            }
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> client : started) {
                client.get(2, TimeUnit.MINUTES);
            }
            assertThat(done.await(2, TimeUnit.MINUTES)).isTrue();

            List<String> ids = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                for (int n = 0; n < CALLS; n++) {
                    ids.add(kind.name().toLowerCase() + "-" + c + "-" + n);
                }
            }
            // the server's onComplete comes after the client's answer
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(ids)
                    .allSatisfy(id -> assertThat(recorder.places(id)).as(id).contains("server.onComplete")));
            int views = 0;
            for (String id : ids) {
                {
                    assertThat(recorder.places(id)).contains("client.onCompleted").doesNotContain("client.onError");
                    for (View view : recorder.of(id)) {
                        boolean right = view.where().startsWith("server.")
                                ? view.isServerOf(id, userOf(id)) : view.isClientOf(id, userOf(id));
                        assertThat(right).as("%s", view).isTrue();
                        views++;
                    }
                }
            }
            assertThat(views).isGreaterThan(CLIENTS * CALLS * 6);
            assertThat(transport.idleThreads()).allSatisfy(view -> assertThat(view.isEmpty()).as("%s", view).isTrue());
        } finally {
            clients.shutdownNow();
            hop.shutdownNow();
            assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(hop.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
