package dev.asynclocal.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.servers.RequestIds;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The demo server's soak variant: each request names its user in an {@code X-User-Id} header, and
 * its handling takes every kind of asynchronous path an application mixes, checking at each hop
 * that the user in the context is still the request's own.
 *
 * <p>One request's path, all in the context the handler opens with the user id (and the same id
 * in the MDC under {@value #MDC_KEY}):
 * <ol>
 *   <li>{@code handler}: the HTTP server thread;
 *   <li>{@code pool hop}: a task on the worker pool;
 *   <li>{@code future async}: a {@code supplyAsync} on the fork/join common pool, then
 *       {@code future stage}: an async stage back on the worker pool;
 *   <li>{@code scheduled task}: a task on the timer, after a delay;
 *   <li>{@code parallel stream}: {@value #PARALLEL_ELEMENTS} elements of a parallel stream, on
 *       the common pool's workers and the timer thread;
 *   <li>{@code virtual thread} (Java 21 and later): a task on a virtual thread, which completes
 *       the future the handler created;
 *   <li>{@code finish}: the stage the handler registered on that future, run by the thread that
 *       completed it, which writes the answer {@code user <id>} read from the context.
 * </ol>
 * A hop whose context holds another user, or none, counts as a mismatch, and so does one whose MDC
 * does; each step also writes a log line {@code <step> user=<id>}, which a test can compare with
 * the line's own {@code %X{userId}}.
 *
 * <p>The same path runs without HTTP through {@link #process(String)}, for tests that need a
 * million requests quickly. The context travels by the means of the {@link Propagation} mode.
 */
public final class SoakServer implements AutoCloseable {
    /** The request header that names the user. */
    public static final String USER_HEADER = "X-User-Id";
    /** The MDC key that holds the user id in every log line of a request. */
    public static final String MDC_KEY = "userId";
    /** How many elements each request's parallel stream has. */
    public static final int PARALLEL_ELEMENTS = 8;

    private static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("userId");
    private static final Logger LOG = LoggerFactory.getLogger(SoakServer.class);
    private static final int MISMATCH_SAMPLES = 20;

    static final int HTTP_THREADS = 8;
    static final int WORKER_THREADS = 4;
    static final int TIMER_THREADS = 1;

    private final Propagation propagation;
    private final long delayNanos;
    private final ThreadPoolExecutor httpThreads;
    private final ThreadPoolExecutor workerThreads;
    private final ScheduledThreadPoolExecutor timerThreads;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    /** A thread-per-task executor of virtual threads, or {@code null} before Java 21. */
    private final ExecutorService virtualThreadsRaw;
    private final ExecutorService virtualThreads;
    private final HttpServer server;

    private final LongAdder hops = new LongAdder();
    private final LongAdder mismatches = new LongAdder();
    private final Queue<String> mismatchSamples = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sampled = new AtomicInteger();

    private SoakServer(Propagation propagation, Duration delay, boolean http) throws IOException {
        this.propagation = propagation;
        this.delayNanos = delay.toNanos();
        httpThreads = fixedPool("soak-http", HTTP_THREADS);
        workerThreads = fixedPool("soak-worker", WORKER_THREADS);
        timerThreads = new ScheduledThreadPoolExecutor(TIMER_THREADS, named("soak-timer"));
        workers = propagation.executor(workerThreads);
        timer = propagation.scheduler(timerThreads);
        virtualThreadsRaw = newVirtualThreadPerTaskExecutor();
        virtualThreads = virtualThreadsRaw == null ? null : propagation.executor(virtualThreadsRaw);
        if (http) {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            server.setExecutor(httpThreads);
            server.createContext("/", this::handle);
            server.start();
        } else {
            server = null;
        }
    }

    /**
     * Starts a soak server on a free port of {@code 127.0.0.1}.
     *
     * @param propagation how each request's context follows its work
     * @param delay how long each request's scheduled task waits
     * @return the running server
     * @throws IOException if no port can be bound
     */
    public static SoakServer start(Propagation propagation, Duration delay) throws IOException {
        return new SoakServer(propagation, delay, true);
    }

    /**
     * The same request path with no HTTP server: requests enter through {@link #process(String)}.
     *
     * @param propagation how each request's context follows its work
     * @param delay how long each request's scheduled task waits
     * @return the pools, ready
     */
    public static SoakServer inProcess(Propagation propagation, Duration delay) {
        try {
            return new SoakServer(propagation, delay, false);
        } catch (IOException e) {
            throw new IllegalStateException("no server was asked for", e);
        }
    }

    /**
     * The user the current code works for, or {@code null} outside any request.
     *
     * @return the current user id
     */
    public static String currentUser() {
        return USER.getStore();
    }

    /**
     * Handles one request for {@code userId} along the whole path and returns its answer,
     * {@code "user <id>\n"}, once the final stage has run. Called on any thread, outside any
     * request's context.
     *
     * @param userId the request's user
     * @return the answer, completed by the final stage
     */
    public CompletableFuture<String> process(String userId) {
        return USER.run(userId, () -> {
            MDC.put(MDC_KEY, userId);
            return begin(userId);
        });
    }

    private CompletableFuture<String> begin(String userId) {
        CompletableFuture<String> done = propagation.newFuture();
        // Registered here, in the request's context; it runs on the thread that completes `done`.
        CompletableFuture<String> answered = done.thenApply(ignored -> {
            step("finish", userId);
            return "user " + currentUser() + "\n";
        });
        step("handler", userId);
        try {
            workers.execute(() -> {
                step("pool hop", userId);
                propagation.supplyAsync(() -> {
                    step("future async", userId);
                    return userId;
                }, ForkJoinPool.commonPool()).thenApplyAsync(id -> {
                    check("future stage", userId);
                    return id;
                }, workers).thenAccept(id -> timer.schedule(() -> scheduled(userId, done), delayNanos, TimeUnit.NANOSECONDS))
                        .whenComplete((ignored, failure) -> {
                            if (failure != null) {
                                done.completeExceptionally(failure);
                            }
                        });
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(e);
        }
        return answered;
    }

    private void scheduled(String userId, CompletableFuture<String> done) {
        try {
            step("scheduled task", userId);
            IntStream.range(0, PARALLEL_ELEMENTS).parallel()
                    .forEach(propagation.forEachElement(i -> check("parallel stream", userId)));
            if (virtualThreads == null) {
                done.complete(userId);
                return;
            }
            virtualThreads.execute(() -> {
                step("virtual thread", userId);
                done.complete(userId);
            });
        } catch (RuntimeException | Error e) {
            done.completeExceptionally(e);
        }
    }

    private void step(String step, String userId) {
        check(step, userId);
        LOG.info("{} user={}", step, userId);
    }

    private void check(String step, String userId) {
        hops.increment();
        String stored = USER.getStore();
        String mdc = MDC.get(MDC_KEY);
        if (!userId.equals(stored) || !userId.equals(mdc)) {
            mismatches.increment();
            if (sampled.getAndIncrement() < MISMATCH_SAMPLES) {
                mismatchSamples.add(step + " of user " + userId + " saw store " + stored + " and MDC " + mdc
                        + " on " + Thread.currentThread());
            }
        }
    }

    private void handle(HttpExchange exchange) {
        String userId = exchange.getRequestHeaders().getFirst(USER_HEADER);
        if (!RequestIds.isValid(userId)) {
            DemoServer.respond(exchange, 400, "missing or invalid " + USER_HEADER + "\n");
            return;
        }
        process(userId).whenComplete((body, failure) ->
                DemoServer.respond(exchange, failure == null ? 200 : 500, failure == null ? body : "failed: " + failure + "\n"));
    }

    /**
     * How many log lines one request writes: one per step that logs.
     *
     * @return 5, or 6 when virtual threads are used
     */
    public int logLinesPerRequest() {
        return virtualThreads == null ? 5 : 6;
    }

    /**
     * How many checks one request makes.
     *
     * @return the checks of every step, the parallel stream's elements included
     */
    public int hopsPerRequest() {
        return logLinesPerRequest() + 1 + PARALLEL_ELEMENTS;
    }

    /**
     * Whether requests take the virtual-thread hop (Java 21 and later).
     *
     * @return {@code true} on Java 21 and later
     */
    public boolean usesVirtualThreads() {
        return virtualThreads != null;
    }

    /**
     * How many checks were made so far.
     *
     * @return the hops checked
     */
    public long hops() {
        return hops.sum();
    }

    /**
     * How many checks found another user, or none, in the context or the MDC.
     *
     * @return the mismatches so far
     */
    public long mismatches() {
        return mismatches.sum();
    }

    /**
     * The first mismatches, described.
     *
     * @return at most 20 descriptions
     */
    public List<String> mismatchSamples() {
        return new ArrayList<>(mismatchSamples);
    }

    /**
     * Where the server listens.
     *
     * @return {@code http://127.0.0.1:PORT/}
     * @throws IllegalStateException if this instance has no HTTP server
     */
    public URI uri() {
        if (server == null) {
            throw new IllegalStateException("in-process: no HTTP server");
        }
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** The pools whose threads run the requests' code, unwrapped: HTTP handlers, workers, timer. For tests. */
    List<ThreadPoolExecutor> pools() {
        return List.of(httpThreads, workerThreads, timerThreads);
    }

    /** Stops listening, lets the pools finish what is queued, and waits for them briefly. */
    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            server.stop(0);
        }
        List<ExecutorService> all = new ArrayList<>(List.of(httpThreads, workerThreads, timerThreads));
        if (virtualThreadsRaw != null) {
            all.add(virtualThreadsRaw);
        }
        for (ExecutorService pool : all) {
            pool.shutdown();
        }
        for (ExecutorService pool : all) {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        }
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()} on Java 21 and later, looked up by name so this compiles for 17. */
    private static ExecutorService newVirtualThreadPerTaskExecutor() {
        if (Runtime.version().feature() < 21) {
            return null;
        }
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Java " + Runtime.version() + " has no virtual threads", e);
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
