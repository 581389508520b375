package dev.asynclocal.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.grpc.ClientPropagationInterceptor;
import dev.asynclocal.servers.HttpServerRequestIdFilter;
import dev.asynclocal.servers.RequestIds;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service A, the front door: a JDK {@code HttpServer} answering {@code GET /orders/<order>}.
 *
 * <p>The request-id filter gives each request its id (the client's {@code X-Request-Id} when it is
 * valid). A asks B over gRPC to place the order, with the id in the call's metadata, and then
 * waits: the answer does not come back on that call but, much later, as a record on the
 * {@code replies} topic, which C produces from D's reply. A processes that record in the context
 * its headers carry, which is the original request's, so the record's request id is all A needs to
 * find the waiting HTTP exchange. Arguments: B's port, the Kafka bootstrap servers.
 */
public final class ServiceA {
    private static final Logger log = LoggerFactory.getLogger(ServiceA.class);
    private static final Pattern ORDER = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final String PATH = "/orders/";

    /** The HTTP requests waiting for D's reply, by request id. */
    private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
    private final ManagedChannel toB;

    private ServiceA(ManagedChannel toB) {
        this.toB = toB;
    }

    public static void main(String[] args) throws Exception {
        Services.exitWhenLauncherGoes();
        int bPort = Integer.parseInt(args[0]);
        String servers = args[1];

        ManagedChannel toB = Grpc.newChannelBuilderForAddress("127.0.0.1", bPort, InsecureChannelCredentials.create())
                .intercept(ClientPropagationInterceptor.create(Services.PROPAGATION))
                .build();
        ServiceA a = new ServiceA(toB);

        Services.pollInBackground(new KafkaConsumer<>(Services.consumerConfig(servers, "service-a")), Services.REPLIES,
                records -> Services.KAFKA.forEach(records, a::replyFromD));

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(PATH, a::order).getFilters().add(HttpServerRequestIdFilter.create());
        server.start();
        Services.ready("port=" + server.getAddress().getPort());
    }

    /** Runs in the request's context, which the request-id filter opened. */
    private void order(HttpExchange exchange) {
        String order = exchange.getRequestURI().getPath().substring(PATH.length());
        if (!ORDER.matcher(order).matches()) {
            respond(exchange, 400, "an order is letters, digits and dashes\n");
            return;
        }
        String id = RequestIds.current();
        // The stage below runs in this context, whoever completes the future: D's reply arriving
        // on the Kafka poll thread, or the timeout on the JDK's delayer thread.
        AsyncCompletableFuture<String> reply = new AsyncCompletableFuture<>();
        if (waiting.putIfAbsent(id, reply) != null) {
            respond(exchange, 409, "request " + id + " is already in progress\n");
            return;
        }
        log.info("received {}, asking B to place it", order);
        reply.orTimeout(30, TimeUnit.SECONDS).whenComplete((body, error) -> {
            waiting.remove(id, reply);
            if (error != null) {
                log.warn("no reply for {}: {}", order, error.toString());
                respond(exchange, 504, "no reply for " + order + ": " + error + "\n");
            } else {
                log.info("answering {} with D's reply", order);
                respond(exchange, 200, body + "\n");
            }
        });
        ClientCalls.asyncUnaryCall(toB.newCall(Services.PLACE, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
                order, new StreamObserver<>() {
                    // gRPC calls these on its own threads; the client interceptor runs them in this context
                    @Override
                    public void onNext(String acknowledgement) {
                        log.info("B says: {}", acknowledgement);
                    }

                    @Override
                    public void onError(Throwable t) {
                        log.warn("B failed to place {}: {}", order, t.toString());
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }

    /**
     * Runs in the context of the record's headers: the request that sent the order, although this
     * is A's Kafka poll thread and the record went through B, the broker, C and D first.
     */
    private void replyFromD(ConsumerRecord<String, String> record) {
        String id = RequestIds.current();
        log.info("reply from D for {}: {}", record.key(), record.value());
        CompletableFuture<String> reply = id == null ? null : waiting.get(id);
        if (reply == null) {
            log.warn("no request is waiting for the reply to {}", record.key());
        } else {
            reply.complete(record.value());
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            exchange.close();
        }
    }
}
