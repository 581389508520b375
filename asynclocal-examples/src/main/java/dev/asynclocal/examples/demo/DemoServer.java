package dev.asynclocal.examples.demo;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asynclocal.servers.HttpServerRequestIdFilter;
import dev.asynclocal.servers.RequestIdConfig;
import dev.asynclocal.servers.RequestIds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's request-id logger as a real HTTP server: the JDK's {@link HttpServer} on loopback,
 * each request running in its own context whose id is the next number of a sequence (0, 1, 2,
 * ...), and log lines that show the id through SLF4J's {@code %X{requestId}}.
 *
 * <p>Each request does what a real handler does: it logs {@code start} on the server thread,
 * hands work to an executor ({@code executor hop}), which schedules a delayed task
 * ({@code scheduled task}), which completes a future; a stage registered on that future by the
 * server thread logs {@code finish} and answers. None of that code passes the id around: it is in
 * the context, and the context follows the work, by the means the {@link Propagation} mode gives.
 *
 * <p>A request may carry a {@code tag} query parameter (letters, digits, {@code -} and {@code _},
 * at most 32) that the server appends to each of its log lines, so a client can find its own
 * lines whatever id the server gave it; the end-to-end test uses it.
 */
public final class DemoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoServer.class);
    private static final Pattern TAG = Pattern.compile("(?:^|&)tag=([A-Za-z0-9_-]{1,32})(?:&|$)");

    static final int HTTP_THREADS = 4;
    static final int WORKER_THREADS = 4;
    static final int TIMER_THREADS = 1;

    private final Propagation propagation;
    private final Duration delay;
    private final AtomicInteger idSeq = new AtomicInteger();

    private final ThreadPoolExecutor httpThreads;
    private final ThreadPoolExecutor workerThreads;
    private final ScheduledThreadPoolExecutor timerThreads;
    /** The pools as the request code sees them: wrapped, or plain for the agent. */
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final HttpServer server;

    private DemoServer(int port, Propagation propagation, Duration delay, boolean requestContext) throws IOException {
        this.propagation = propagation;
        this.delay = delay;
        httpThreads = fixedPool("http", HTTP_THREADS);
        workerThreads = fixedPool("worker", WORKER_THREADS);
        timerThreads = new ScheduledThreadPoolExecutor(TIMER_THREADS, named("timer"));
        workers = propagation.executor(workerThreads);
        timer = propagation.scheduler(timerThreads);

        // The sequence number is the id, as in the seed; a client's own valid X-Request-Id is
        // kept instead, which is what the filter does for requests that arrive from other services.
        RequestIdConfig ids = RequestIdConfig.defaults()
                .withGenerator(() -> Integer.toString(idSeq.getAndIncrement()));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(httpThreads);
        HttpContext root = server.createContext("/", this::handle);
        root.getFilters().add(requestContext ? HttpServerRequestIdFilter.create(ids) : new IdByHandFilter());
    }

    /**
     * Starts a server on {@code 127.0.0.1}.
     *
     * @param port the port, or 0 for a free one
     * @param propagation how the request's context follows its work
     * @param delay how long the scheduled task of each request waits
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    public static DemoServer start(int port, Propagation propagation, Duration delay) throws IOException {
        DemoServer demo = new DemoServer(port, propagation, delay, true);
        demo.server.start();
        return demo;
    }

    /**
     * Starts the same server with no context at all, the baseline of the throughput benchmark. It
     * does the same work per request, but the id is passed by hand: a filter takes or makes the id
     * and sets the response header as the request-id filter does, and the handler's code carries
     * the id in its lambdas instead of reading it from the context. Plain JDK executors and
     * futures; run without the agent, nothing is captured or restored anywhere.
     *
     * @param port the port, or 0 for a free one
     * @param delay how long the scheduled task of each request waits
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    public static DemoServer startWithoutContext(int port, Duration delay) throws IOException {
        DemoServer demo = new DemoServer(port, Propagation.AGENT, delay, false);
        demo.server.start();
        return demo;
    }

    private void handle(HttpExchange exchange) {
        // Set only by the baseline server, which passes the id by hand instead of in the context.
        String idByHand = (String) exchange.getAttribute(IdByHandFilter.ATTRIBUTE);
        String tag = tagOf(exchange.getRequestURI());
        log("start", tag);
        CompletableFuture<String> answer = propagation.newFuture();
        // Registered here, on the server thread and in the request's context: the stage runs in
        // that context on whichever thread completes the future.
        answer.whenComplete((body, failure) -> {
            log("finish", tag);
            respond(exchange, failure == null ? 200 : 500, failure == null ? body : "failed: " + failure + "\n");
        });
        try {
            workers.execute(() -> {
                log("executor hop", tag);
                timer.schedule(() -> {
                    log("scheduled task", tag);
                    String id = idByHand != null ? idByHand : RequestIds.current();
                    answer.complete("request " + id + " answered\n");
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
            });
        } catch (RuntimeException e) {
            // rejected while closing: answer anyway, the client must not hang
            answer.completeExceptionally(e);
        }
    }

    /** The baseline's stand-in for the request-id filter: the same header work, no context. */
    private final class IdByHandFilter extends Filter {
        static final String ATTRIBUTE = "dev.asynclocal.examples.requestId";

        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            String sent = exchange.getRequestHeaders().getFirst(RequestIds.DEFAULT_HEADER);
            String id = RequestIds.isValid(sent) ? sent : Integer.toString(idSeq.getAndIncrement());
            exchange.getResponseHeaders().set(RequestIds.DEFAULT_HEADER, id);
            exchange.setAttribute(ATTRIBUTE, id);
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "request id passed by hand (no context)";
        }
    }

    private static void log(String step, String tag) {
        LOG.info(tag == null ? step : step + " tag=" + tag);
    }

    /** Writes a plain-text answer and closes the exchange; a failed write is logged, not thrown. */
    static void respond(HttpExchange exchange, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.warn("could not answer: {}", e.toString());
        } finally {
            exchange.close();
        }
    }

    static String tagOf(URI uri) {
        String query = uri.getRawQuery();
        if (query == null) {
            return null;
        }
        Matcher m = TAG.matcher(query);
        return m.find() ? m.group(1) : null;
    }

    /**
     * Where the server listens.
     *
     * @return {@code http://127.0.0.1:PORT/}
     */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /**
     * The mode in use.
     *
     * @return how the context follows each request's work
     */
    public Propagation propagation() {
        return propagation;
    }

    /** The server's own thread pools, unwrapped: HTTP handlers, workers, timer. For tests. */
    List<ThreadPoolExecutor> pools() {
        return List.of(httpThreads, workerThreads, timerThreads);
    }

    /** Stops listening, lets the pools finish what is queued, and waits for them briefly. */
    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        for (ThreadPoolExecutor pool : List.of(httpThreads, workerThreads, timerThreads)) {
            pool.shutdown();
        }
        for (ThreadPoolExecutor pool : List.of(httpThreads, workerThreads, timerThreads)) {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        }
    }

    private static ThreadPoolExecutor fixedPool(String name, int threads) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), named(name));
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger next = new AtomicInteger(1);
        return task -> new Thread(task, prefix + "-" + next.getAndIncrement());
    }
}
