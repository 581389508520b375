package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's I/O completion callbacks and other hand-offs under the agent: a
 * {@code CompletionHandler} runs in the context of the call that started its operation, on the
 * channel group's threads, which the JDK starts lazily (here, for the first time inside a
 * request); a {@code SubmissionPublisher} subscriber gets every signal in the context where it
 * subscribed; {@code HttpClient} stages see the context where they were registered, never the one
 * of the request that happened to start the client's threads.
 */
class AsyncIoIT {
    private static AsynchronousServerSocketChannel server;
    private static final List<String> ACCEPTED_IN = new CopyOnWriteArrayList<>();

    /** An echo server on the default channel group, first used inside request "first-op". */
    @BeforeAll
    static void startEchoServer() throws Exception {
        STORE.run("first-op", () -> {
            try {
                server = AsynchronousServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            STORE.run("server", () -> server.accept(null, new Acceptor()));
        });
    }

    @AfterAll
    static void stopEchoServer() throws IOException {
        server.close();
    }

    /** Accepts, echoes one buffer per connection, accepts again; records the context of each accept. */
    static final class Acceptor implements CompletionHandler<AsynchronousSocketChannel, Void> {
        @Override
        public void completed(AsynchronousSocketChannel connection, Void attachment) {
            ACCEPTED_IN.add(String.valueOf(STORE.getStore()));
            server.accept(null, this);
            ByteBuffer buffer = ByteBuffer.allocate(64);
            connection.read(buffer, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void a) {
                    buffer.flip();
                    connection.write(buffer, null, new CompletionHandler<Integer, Void>() {
                        @Override
                        public void completed(Integer written, Void b) {
                            // the client closes
                        }

                        @Override
                        public void failed(Throwable exc, Void b) {
                        }
                    });
                }

                @Override
                public void failed(Throwable exc, Void a) {
                }
            });
        }

        @Override
        public void failed(Throwable exc, Void attachment) {
        }
    }

    /** What one client round trip saw: the context of its connect, write and read handlers. */
    static List<String> roundTrip(String context) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable go = () -> {
            try {
                AsynchronousSocketChannel client = AsynchronousSocketChannel.open();
                client.connect(server.getLocalAddress(), null, handler(seen, done, connected -> {
                    ByteBuffer out = ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8));
                    client.write(out, null, handler(seen, done, written -> {
                        ByteBuffer in = ByteBuffer.allocate(64);
                        client.read(in, TIMEOUT_SECONDS, TimeUnit.SECONDS, null, handler(seen, done, read -> {
                            closeQuietly(client);
                            done.complete(null);
                        }));
                    }));
                }));
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        };
        if (context == null) {
            go.run();
        } else {
            STORE.run(context, go);
        }
        done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return seen;
    }

    static <V> CompletionHandler<V, Void> handler(List<String> seen, CompletableFuture<Void> failed,
            java.util.function.Consumer<V> next) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V result, Void attachment) {
                seen.add(String.valueOf(STORE.getStore()));
                next.accept(result);
            }

            @Override
            public void failed(Throwable exc, Void attachment) {
                failed.completeExceptionally(exc);
            }
        };
    }

    static void closeQuietly(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a finished connection
        }
    }

    @Test
    void socketHandlersRunInTheContextOfTheirOperation() throws Exception {
        assertThat(roundTrip("C2")).containsExactly("C2", "C2", "C2");
        assertThat(roundTrip("R1")).containsExactly("R1", "R1", "R1");
        for (int i = 0; i < 64; i++) {
            assertThat(roundTrip(null)).as("an operation started outside any context").containsExactly("null", "null", "null");
            assertThat(roundTrip("R" + i)).containsExactly("R" + i, "R" + i, "R" + i);
        }
        assertThat(ACCEPTED_IN).isNotEmpty().containsOnly("server");
    }

    @Test
    void fileHandlersRunInTheContextOfTheirOperation(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("data.txt"), "hello");
        try (AsynchronousFileChannel channel = AsynchronousFileChannel.open(file,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            CountDownLatch three = new CountDownLatch(3);
            STORE.run("write", () -> channel.write(ByteBuffer.wrap("!".getBytes(StandardCharsets.UTF_8)), 5, null,
                    handler(seen, done, n -> three.countDown())));
            STORE.run("read", () -> channel.read(ByteBuffer.allocate(8), 0, null, handler(seen, done, n -> three.countDown())));
            channel.read(ByteBuffer.allocate(8), 0, null, handler(seen, done, n -> three.countDown()));
            Kit.await(three);
            assertThat(seen).containsExactlyInAnyOrder("write", "read", "null");
            List<String> locked = new CopyOnWriteArrayList<>();
            CountDownLatch lock = new CountDownLatch(1);
            STORE.run("lock", () -> channel.lock(null, new CompletionHandler<FileLock, Void>() {
                @Override
                public void completed(FileLock result, Void attachment) {
                    locked.add(STORE.getStore());
                    try {
                        result.release();
                    } catch (IOException ignored) {
                        // released with the channel
                    }
                    lock.countDown();
                }

                @Override
                public void failed(Throwable exc, Void attachment) {
                    locked.add(exc.toString());
                    lock.countDown();
                }
            }));
            Kit.await(lock);
            assertThat(locked).containsExactly("lock");
        }
    }

    @Test
    void aSubscriberGetsEverySignalInTheContextWhereItSubscribed() throws Exception {
        try (SubmissionPublisher<String> publisher = new SubmissionPublisher<>()) {
            Recorder inSubscriber = new Recorder(6);
            Recorder outside = new Recorder(6);
            STORE.run("subscriber", () -> publisher.subscribe(inSubscriber));
            publisher.subscribe(outside);
            STORE.run(A1, () -> publisher.submit("a"));
            STORE.run("B1", () -> publisher.submit("b"));
            publisher.submit("c");
            for (int i = 0; i < 3; i++) {
                STORE.run("later-" + i, () -> publisher.submit("x"));
            }
            publisher.close();
            inSubscriber.await();
            outside.await();
            assertThat(inSubscriber.stores).containsOnly("subscriber").hasSize(8);
            assertThat(outside.stores).containsOnly("null").hasSize(8);
        }
    }

    private static final String A1 = "A1";

    /** Records the store at every signal: onSubscribe, onNext (n), onComplete. */
    static final class Recorder implements Flow.Subscriber<String> {
        final List<String> stores = new CopyOnWriteArrayList<>();
        final CountDownLatch completed = new CountDownLatch(1);

        Recorder(int expectedItems) {
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            stores.add(String.valueOf(STORE.getStore()));
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String item) {
            stores.add(String.valueOf(STORE.getStore()));
        }

        @Override
        public void onError(Throwable throwable) {
            stores.add("error " + throwable);
            completed.countDown();
        }

        @Override
        public void onComplete() {
            stores.add(String.valueOf(STORE.getStore()));
            completed.countDown();
        }

        void await() throws InterruptedException {
            Kit.await(completed);
        }
    }

    @Test
    void httpClientStagesSeeTheirOwnRequestNeverTheOneThatStartedTheClient() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> handledIn = new CopyOnWriteArrayList<>();
        http.createContext("/", exchange -> {
            handledIn.add(String.valueOf(STORE.getStore()));
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
            HttpClient client = STORE.run("client-made-in-A", () -> HttpClient.newHttpClient());
            String first = STORE.run("A", () -> send(client, uri)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(first).isEqualTo("ok:A");
            List<CompletableFuture<String>> later = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String request = "B" + i;
                later.add(STORE.run(request, () -> send(client, uri)));
                later.add(send(client, uri));
            }
            for (int i = 0; i < later.size(); i++) {
                String expected = i % 2 == 0 ? "ok:B" + (i / 2) : "ok:null";
                assertThat(later.get(i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(expected);
            }
            assertThat(handledIn).as("the server side sees nothing: no propagation over the wire here")
                    .containsOnly("null");
        } finally {
            http.stop(0);
        }
    }

    private static CompletableFuture<String> send(HttpClient client, URI uri) {
        return client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> response.body() + ":" + STORE.getStore());
    }
}
