package dev.asynclocal.opentelemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.servers.HttpServerRequestIdFilter;
import dev.asynclocal.servers.RequestIdConfig;
import dev.asynclocal.servers.RequestIds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * docs/across-services.md: a request id and a user set in service A are seen by service C,
 * two asynchronous hops away (A calls B, B calls C). Three JDK servers on loopback in one JVM;
 * run by {@code ExamplesTest}.
 */
public final class AcrossServicesExample {
    // snippet:start declare
    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static final BaggagePropagation PROPAGATION = BaggagePropagation.of(
            PropagatedStorage.ofString(RequestIds.storage(), "requestId"),
            PropagatedStorage.ofString(USER, "user").withMdcKey("user"));
    // snippet:end declare

    private AcrossServicesExample() {
    }

    public static void main(String[] args) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        ExecutorService pool = AsyncExecutors.wrap(threads);
        // snippet:start client
        HttpClient client = PROPAGATION.wrap(HttpClient.newHttpClient());
        // snippet:end client
        HttpServer c = server(exchange -> pool.execute(() -> respond(exchange,
                "C sees requestId=" + RequestIds.current() + " user=" + USER.getStore())));
        URI toC = uri(c);
        HttpServer b = server(exchange -> client.sendAsync(HttpRequest.newBuilder(toC).build(), BodyHandlers.ofString())
                .thenAccept(response -> respond(exchange, response.body())));
        URI toB = uri(b);
        // snippet:start service-a
        HttpServer a = server(exchange -> USER.run("alice", () ->
                client.sendAsync(HttpRequest.newBuilder(toB).build(), BodyHandlers.ofString())
                        .thenAccept(response -> respond(exchange,
                                "A made requestId=" + RequestIds.current() + "\n" + response.body()))));
        // snippet:end service-a
        try {
            HttpRequest request = HttpRequest.newBuilder(uri(a)).header("X-Request-Id", "req-42").build();
            System.out.println(HttpClient.newHttpClient().send(request, BodyHandlers.ofString()).body());
        } finally {
            for (HttpServer server : List.of(a, b, c)) {
                server.stop(0);
            }
            threads.shutdownNow();
        }
    }

    // snippet:start server
    static HttpServer server(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        var filters = server.createContext("/", handler).getFilters();
        filters.add(HttpServerPropagationFilter.create(PROPAGATION));          // first: what the caller sent
        filters.add(HttpServerRequestIdFilter.create(
                RequestIdConfig.defaults().withIdFromContext(true)));          // keeps an id from baggage
        server.start();
        return server;
    }
    // snippet:end server

    static URI uri(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    static void respond(HttpExchange exchange, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            exchange.close();
        }
    }
}
