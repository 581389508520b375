package dev.asynclocal.servers;

import static dev.asynclocal.servers.ServerTestSupport.HEADER;
import static dev.asynclocal.servers.ServerTestSupport.assertEveryLogLineCarriesItsOwnId;
import static dev.asynclocal.servers.ServerTestSupport.drainLogLines;
import static dev.asynclocal.servers.ServerTestSupport.get;
import static dev.asynclocal.servers.ServerTestSupport.observe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;

/** {@link HttpServerRequestIdFilter} in a JDK {@link HttpServer} on loopback, driven by {@link HttpClient}. */
class HttpServerRequestIdFilterTest {
    private static final int SERVER_THREADS = 8;
    private static final int APP_THREADS = 4;
    private static final AsyncLocalStorage<String> TRACE = new AsyncLocalStorage<>("trace");

    private static HttpServer server;
    private static ThreadPoolExecutor serverThreads;
    /** The application's threads; probes and future stages use them directly. */
    private static ExecutorService appThreads;
    /** The same threads as the application submits to them: propagating. */
    private static ExecutorService appPool;
    private static HttpClient client;
    private static URI base;
    /** Requests that reached the server while the thread still held some request's id. */
    private static final AtomicInteger dirtyArrivals = new AtomicInteger();
    /** Requests after which the server thread, back in the outermost filter, still held some context. */
    private static final AtomicInteger dirtyDepartures = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        serverThreads = new ThreadPoolExecutor(SERVER_THREADS, SERVER_THREADS, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        serverThreads.prestartAllCoreThreads();
        appThreads = Executors.newFixedThreadPool(APP_THREADS);
        appPool = AsyncExecutors.wrap(appThreads);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(serverThreads);
        withFilters(server.createContext("/hops", HttpServerRequestIdFilterTest::hops).getFilters(),
                HttpServerRequestIdFilter.create());
        withFilters(server.createContext("/elsewhere", HttpServerRequestIdFilterTest::respondFromTheAppPool).getFilters(),
                HttpServerRequestIdFilter.create());
        withFilters(server.createContext("/enter-with", HttpServerRequestIdFilterTest::enterWith).getFilters(),
                HttpServerRequestIdFilter.create());
        withFilters(server.createContext("/custom", HttpServerRequestIdFilterTest::custom).getFilters(),
                HttpServerRequestIdFilter.create(RequestIdConfig.defaults()
                        .withHeader("X-Trace-Id").withStorage(TRACE).withMdcKey(null)));
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        client = ServerTestSupport.newClient();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        serverThreads.shutdownNow();
        appThreads.shutdownNow();
    }

    private static void withFilters(List<Filter> filters, HttpServerRequestIdFilter filter) {
        filters.add(new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                if (RequestIds.current() != null || TRACE.getStore() != null || MDC.get("requestId") != null) {
                    dirtyArrivals.incrementAndGet();
                }
                chain.doFilter(exchange);
                // Whatever the handler did (enterWith included), it ended with the request-id filter.
                if (RequestIds.current() != null || TRACE.getStore() != null || MDC.get("requestId") != null) {
                    dirtyDepartures.incrementAndGet();
                }
            }

            @Override
            public String description() {
                return "checks that a server thread holds no context when a request arrives";
            }
        });
        filters.add(filter);
    }

    /** Observes the id on the server thread, after an executor hop and in a future stage. */
    private static void hops(HttpExchange exchange) throws IOException {
        String id = RequestIds.current();
        List<String> seen = new ArrayList<>();
        seen.add(observe(id, "handler"));
        try {
            seen.add(appPool.submit(() -> observe(id, "pool")).get(20, TimeUnit.SECONDS));
            // registered here: the stage runs in the request's context whichever thread runs it
            seen.add(AsyncCompletableFuture.supplyAsync(() -> 0, appThreads)
                    .thenApplyAsync(x -> observe(id, "stage"), appThreads)
                    .get(20, TimeUnit.SECONDS));
        } catch (Exception e) {
            seen.add("failed:" + e);
        }
        respond(exchange, String.join(" ", seen));
    }

    /** Returns at once; a task of the propagating pool writes the response in the request's context. */
    private static void respondFromTheAppPool(HttpExchange exchange) {
        String id = RequestIds.current();
        appPool.execute(() -> {
            try {
                respond(exchange, observe(id, "elsewhere"));
            } catch (IOException e) {
                exchange.close();
            }
        });
    }

    /** Sets a storage with enterWith, which nothing undoes before the request ends. */
    private static void enterWith(HttpExchange exchange) throws IOException {
        TRACE.enterWith(RequestIds.current());
        respond(exchange, TRACE.getStore());
    }

    private static void custom(HttpExchange exchange) throws IOException {
        respond(exchange, TRACE.getStore() + " " + RequestIds.current() + " " + MDC.get("requestId"));
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * 8 clients × 25 requests whose handler calls {@code enterWith}: the store is the request's own
     * inside, and never visible on the server thread after the request, nor on any server thread.
     */
    @Test
    void enterWithInsideARequestIsNeverVisibleAfterItEnds() throws Exception {
        int requests = ServerTestSupport.runConcurrentClients(client, base.resolve("/enter-with"), 8, 25);
        assertThat(requests).isEqualTo(200);
        assertThat(dirtyArrivals.get()).isZero();
        assertThat(dirtyDepartures.get()).isZero();
        assertThat(whatEveryThreadHolds(serverThreads, SERVER_THREADS)).containsOnly("null null");
    }

    @Test
    void theClientsIdIsUsedEverywhereAndReturned() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/hops"), HEADER, "order-42");
        assertThat(reply.status).isEqualTo(200);
        assertThat(reply.id).isEqualTo("order-42");
        assertThat(reply.tokens).hasSize(6).containsOnly("order-42");
    }

    @Test
    void anIdIsGeneratedWhenTheHeaderIsAbsent() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/hops"), HEADER, null);
        assertThat(reply.id).matches("[0-9a-f]{32}");
        assertThat(reply.tokens).hasSize(6).containsOnly(reply.id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "tab\tinside",
        "a-129-character-id-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void aMalformedIdIsReplacedNotRejected(String malformed) throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/hops"), HEADER, malformed);
        assertThat(reply.status).isEqualTo(200);
        assertThat(reply.id).matches("[0-9a-f]{32}");
        assertThat(reply.tokens).containsOnly(reply.id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"caf\u00e9", "del\u007f", "c\u0001tl", "nbsp\u00a0"})
    void aHeaderWithBytesOutsideVisibleAsciiIsReplaced(String malformed) throws Exception {
        assertThat(ServerTestSupport.rawGetId(base, "/hops", HEADER, malformed)).matches("[0-9a-f]{32}");
    }

    @Test
    void anIdOfExactlyTheMaximumLengthIsKept() throws Exception {
        String longest = "x".repeat(RequestIds.MAX_LENGTH);
        assertThat(get(client, base.resolve("/hops"), HEADER, longest).id).isEqualTo(longest);
    }

    @Test
    void aResponseWrittenFromAnotherThreadCarriesTheId() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/elsewhere"), HEADER, "far-1");
        assertThat(reply.id).isEqualTo("far-1");
        assertThat(reply.tokens).containsExactly("far-1", "far-1");
    }

    @Test
    void headerStorageAndMdcKeyAreConfigurable() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/custom"), "X-Trace-Id", "t-7");
        assertThat(reply.id).isEqualTo("t-7");
        assertThat(reply.tokens).containsExactly("t-7", "null", "null");
        assertThat(get(client, base.resolve("/custom"), HEADER, "ignored").tokens.get(0)).matches("[0-9a-f]{32}");
    }

    @Test
    void createRejectsANullConfig() {
        assertThatThrownBy(() -> HttpServerRequestIdFilter.create(null))
                .isInstanceOf(NullPointerException.class).hasMessage("config");
    }

    /**
     * 16 clients × 100 requests over loopback, each request observing its id on a server thread,
     * a pool thread and a future stage. Race checked: a server or pool thread switching between
     * requests must never show the previous request's id, in the response or in a log line.
     * Afterwards every server and pool thread holds no request id and no MDC.
     */
    @Test
    void concurrentRequestsEachSeeOnlyTheirOwnId() throws Exception {
        drainLogLines();
        int requests = ServerTestSupport.runConcurrentClients(client, base.resolve("/hops"), 16, 100);
        assertEveryLogLineCarriesItsOwnId(drainLogLines(), requests * 3);
        assertThat(dirtyArrivals.get()).isZero();
        assertThat(dirtyDepartures.get()).isZero();
        assertThat(whatEveryThreadHolds(serverThreads, SERVER_THREADS)).containsOnly("null null");
        assertThat(whatEveryThreadHolds(appThreads, APP_THREADS)).containsOnly("null null");
    }

    /** Runs one task on each of the executor's {@code threads} threads at once; returns what each saw. */
    static List<String> whatEveryThreadHolds(ExecutorService executor, int threads) throws Exception {
        CyclicBarrier everyThreadBusy = new CyclicBarrier(threads);
        List<Future<String>> seen = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            seen.add(executor.submit(() -> {
                everyThreadBusy.await(10, TimeUnit.SECONDS);
                return RequestIds.current() + " " + MDC.get("requestId");
            }));
        }
        List<String> result = new ArrayList<>();
        for (Future<String> f : seen) {
            result.add(f.get(20, TimeUnit.SECONDS));
        }
        return result;
    }
}
