package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncLocalStorage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@link HttpClient} wrapper against a JDK server on loopback that echoes the context headers. */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
class PropagatingHttpClientTest {
    private static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
    private static final BaggagePropagation PROPAGATION = BaggagePropagation.of(PropagatedStorage.ofString(USER, "user"));

    private static HttpServer server;
    private static ExecutorService clientThreads;
    private static HttpClient client;
    private static URI echo;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/echo", PropagatingHttpClientTest::echo);
        server.start();
        echo = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/echo");
        // the client's own threads run outside any context: what they see comes from the wrapper
        clientThreads = Executors.newFixedThreadPool(2);
        client = PROPAGATION.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(clientThreads).connectTimeout(Duration.ofSeconds(10)).build());
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        clientThreads.shutdownNow();
    }

    private static void echo(HttpExchange exchange) throws IOException {
        var headers = exchange.getRequestHeaders();
        String body = "traceparent=" + headers.get("traceparent") + "\nbaggage=" + headers.get("baggage");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static HttpRequest request() {
        return HttpRequest.newBuilder(echo).timeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void sendAddsTheHeadersOfTheCurrentContext() throws Exception {
        Span span = Tracing.TRACER.spanBuilder("client").startSpan();
        String body;
        try (Scope ignored = span.makeCurrent()) {
            body = USER.<String, Exception>run("alice", () -> client.send(request(), BodyHandlers.ofString()).body());
        } finally {
            span.end();
        }
        assertThat(body).isEqualTo("traceparent=[00-" + span.getSpanContext().getTraceId() + "-"
                + span.getSpanContext().getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex()
                + "]\nbaggage=[user=alice]");
    }

    @Test
    void withNothingToSendTheRequestIsUnchanged() throws Exception {
        HttpRequest own = HttpRequest.newBuilder(echo).header("baggage", "mine=1").build();
        assertThat(client.send(own, BodyHandlers.ofString()).body()).isEqualTo("traceparent=null\nbaggage=[mine=1]");
    }

    @Test
    void theContextsHeadersReplaceTheRequestsOwn() throws Exception {
        HttpRequest own = HttpRequest.newBuilder(echo).header("Baggage", "mine=1").header("X-Other", "kept").build();
        String body = USER.<String, Exception>run("bob", () -> client.send(own, BodyHandlers.ofString()).body());
        assertThat(body).isEqualTo("traceparent=null\nbaggage=[user=bob]");
    }

    @Test
    void sendAsyncStagesRunInTheContextWhereTheyWereRegistered() throws Exception {
        CompletableFuture<HttpResponse<String>> response = USER.run("carol", () -> client.sendAsync(request(), BodyHandlers.ofString()));
        assertThat(response).isInstanceOf(AsyncCompletableFuture.class);
        CompletableFuture<String> carols = USER.run("carol", () -> response.thenApply(r -> USER.getStore() + " " + r.body()));
        CompletableFuture<String> dans = USER.run("dan", () -> response.thenApply(r -> USER.getStore()));
        CompletableFuture<String> nobodys = response.thenApplyAsync(r -> String.valueOf(USER.getStore()), clientThreads);
        assertThat(carols.get(20, TimeUnit.SECONDS)).isEqualTo("carol traceparent=null\nbaggage=[user=carol]");
        assertThat(dans.get(20, TimeUnit.SECONDS)).isEqualTo("dan");
        assertThat(nobodys.get(20, TimeUnit.SECONDS)).isEqualTo("null");
    }

    /**
     * The client calls the body handler and subscriber on its own threads (pool threads that run
     * outside any context here), and calls {@code getBody} whenever it likes; all of it sees the
     * caller's context.
     */
    @Test
    void theResponseIsHandledInTheCallersContext() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        BodyHandler<String> handler = info -> {
            seen.add("apply:" + USER.getStore());
            return BodySubscribers.mapping(BodySubscribers.ofString(StandardCharsets.UTF_8), body -> {
                seen.add("mapping:" + USER.getStore());
                return body;
            });
        };
        USER.run("erin", () -> client.sendAsync(request(), handler)).get(20, TimeUnit.SECONDS);
        USER.<HttpResponse<String>, Exception>run("fay", () -> client.send(request(), handler));
        assertThat(seen).containsExactly("apply:erin", "mapping:erin", "apply:fay", "mapping:fay");
    }

    @Test
    void cancellingTheResultCancelsTheExchangeAndEverythingElseIsTheWrappedClients() {
        StubClient stub = new StubClient();
        HttpClient wrapped = PROPAGATION.wrap(stub);
        CompletableFuture<HttpResponse<String>> result = wrapped.sendAsync(request(), BodyHandlers.ofString());
        assertThat(stub.exchange.isCancelled()).isFalse();
        result.cancel(true);
        assertThat(stub.exchange.isCancelled()).isTrue();

        assertThat(wrapped.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(wrapped.connectTimeout()).contains(Duration.ofSeconds(7));
        assertThat(wrapped.followRedirects()).isEqualTo(HttpClient.Redirect.ALWAYS);
        assertThat(wrapped.executor()).containsSame(stub.executor);
        assertThat(wrapped.cookieHandler()).isEmpty();
        assertThat(wrapped.proxy()).isEmpty();
        assertThat(wrapped.authenticator()).isEmpty();
        assertThat(wrapped.sslContext()).isNull();
        assertThat(wrapped.sslParameters()).isSameAs(stub.parameters);
        assertThat(wrapped.toString()).contains("StubClient");
    }

    /** An HttpClient that records the exchange it hands out. */
    static final class StubClient extends HttpClient {
        final CompletableFuture<HttpResponse<String>> exchange = new CompletableFuture<>();
        final Executor executor = Runnable::run;
        final SSLParameters parameters = new SSLParameters();

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return Optional.empty();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return Optional.of(Duration.ofSeconds(7));
        }

        @Override
        public Redirect followRedirects() {
            return Redirect.ALWAYS;
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return Optional.empty();
        }

        @Override
        public SSLContext sslContext() {
            return null;
        }

        @Override
        public SSLParameters sslParameters() {
            return parameters;
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return Optional.empty();
        }

        @Override
        public Version version() {
            return Version.HTTP_2;
        }

        @Override
        public Optional<Executor> executor() {
            return Optional.of(executor);
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
            return (CompletableFuture<HttpResponse<T>>) (CompletableFuture<?>) exchange;
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler,
                HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
            return sendAsync(request, handler);
        }

        @Override
        public String toString() {
            return "StubClient";
        }
    }
}
