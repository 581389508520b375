package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What every backend must show: log lines written by a request's work, on whatever thread, carry
 * that request's id in {@code %X{requestId}}. Subclasses attach a real appender of their backend
 * with the pattern {@value #PATTERN} and hand back the lines it wrote.
 *
 * <p>Every message starts with the id the code knows it is working for; the check is that the
 * id the backend took from the MDC is the same on every line.
 *
 * <p>Hops are bound by hand ({@link AsyncLocalStorage#bind}, {@link Snapshot}); once
 * {@code AsyncExecutors.wrap} and {@code AsyncCompletableFuture} exist these should use them.
 */
abstract class BackendContract {
    static final String PATTERN = "%X{requestId}|%X{step}|%m%n";
    static final Logger LOG = LoggerFactory.getLogger("scenario");
    static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

    private static final int POOL_THREADS = 4;
    private static final ExecutorService POOL = Executors.newFixedThreadPool(POOL_THREADS);

    /** The lines the appender wrote since the previous call, without line ends. */
    abstract List<String> drainLines();

    @BeforeEach
    void freshAppender() {
        assertThat(AsyncLocalMdc.isInstalled()).isTrue();
        drainLines();
    }

    @AfterAll
    static void shutdownPool() {
        POOL.shutdownNow();
    }

    @Test
    void aLineWrittenInTheRequestContextCarriesItsId() {
        REQUEST.run("r-1", () -> {
            MDC.put("requestId", "r-1");
            LOG.info("r-1 start");
        });
        LOG.info("- after");
        assertThat(drainLines()).containsExactly("r-1||r-1 start", "||- after");
    }

    @Test
    void executorTasksLogTheIdOfTheRequestThatSubmittedThem() throws Exception {
        List<Future<?>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "r-" + i;
            REQUEST.run(id, () -> {
                MDC.put("requestId", id);
                pending.add(POOL.submit(AsyncLocalStorage.bind(() -> LOG.info("{} on the pool", id))));
            });
        }
        for (Future<?> f : pending) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertEveryLineCarriesItsOwnId(drainLines(), 20);
    }

    @Test
    void futureStagesLogTheIdOfTheRequestThatRegisteredThem() {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "r-" + i;
            REQUEST.run(id, () -> {
                MDC.put("requestId", id);
                pending.add(CompletableFuture
                        .supplyAsync(bound(() -> {
                            LOG.info("{} supplyAsync", id);
                            return id;
                        }), POOL)
                        .thenApplyAsync(bound(x -> {
                            LOG.info("{} thenApplyAsync", x);
                            return x;
                        }), POOL)
                        .thenAccept(boundConsumer(x -> LOG.info("{} thenAccept", x))));
            });
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
        assertEveryLineCarriesItsOwnId(drainLines(), 60);
    }

    @Test
    void virtualThreadsLogTheIdOfTheRequestThatStartedThem() throws Exception {
        ExecutorService virtual = newVirtualThreadPerTaskExecutor();
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String id = "r-" + i;
                REQUEST.run(id, () -> {
                    MDC.put("requestId", id);
                    pending.add(virtual.submit(AsyncLocalStorage.bind(() -> {
                        LOG.info("{} on a virtual thread", id);
                        Thread.yield();
                        LOG.info("{} still on it", id);
                    })));
                });
            }
            for (Future<?> f : pending) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            virtual.shutdown();
        }
        assertEveryLineCarriesItsOwnId(drainLines(), 100);
    }

    @Test
    void aPutInsideATaskShowsOnlyInThatTasksLines() throws Exception {
        REQUEST.run("r-1", () -> {
            MDC.put("requestId", "r-1");
            POOL.submit(AsyncLocalStorage.bind(() -> {
                MDC.put("step", "io");
                LOG.info("r-1 in the task");
            })).get(10, TimeUnit.SECONDS);
            LOG.info("r-1 after the task");
            return null;
        });
        assertThat(drainLines()).containsExactly("r-1|io|r-1 in the task", "r-1||r-1 after the task");
    }

    /**
     * 32 client threads × 500 requests, each request logging on its client thread, on a pool
     * thread and in a future stage, all interleaved on a pool of {@value #POOL_THREADS} threads.
     * Race checked: a pool thread that ran request A's work must not show A's id while running
     * B's, and no line may lose its id. Afterwards no pool thread holds an MDC.
     */
    @Test
    void concurrentRequestsNeverSwapIds() throws Exception {
        int clients = 32;
        int requestsPerClient = 500;
        ExecutorService clientThreads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<CompletableFuture<?>>>> submitted = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                submitted.add(clientThreads.submit(() -> {
                    List<CompletableFuture<?>> mine = new ArrayList<>(requestsPerClient);
                    for (int n = 0; n < requestsPerClient; n++) {
                        mine.add(handle("c" + client + "-" + n));
                    }
                    return mine;
                }));
            }
            for (Future<List<CompletableFuture<?>>> f : submitted) {
                CompletableFuture.allOf(f.get(60, TimeUnit.SECONDS).toArray(new CompletableFuture<?>[0]))
                        .get(60, TimeUnit.SECONDS);
            }
        } finally {
            clientThreads.shutdown();
        }
        assertEveryLineCarriesItsOwnId(drainLines(), clients * requestsPerClient * 3);
        assertThat(mdcOfEveryPoolThread()).containsOnlyNulls();
    }

    private static CompletableFuture<?> handle(String id) {
        return REQUEST.run(id, () -> {
            MDC.put("requestId", id);
            LOG.info("{} start", id);
            CompletableFuture<?> hop = new CompletableFuture<>();
            POOL.execute(AsyncLocalStorage.bind(() -> {
                LOG.info("{} pool", id);
                hop.complete(null);
            }));
            return hop.thenApplyAsync(bound(x -> {
                LOG.info("{} stage", id);
                return x;
            }), POOL);
        });
    }

    /** Runs one task on each pool thread at once and returns what each saw as its MDC. */
    private static List<String> mdcOfEveryPoolThread() throws Exception {
        CyclicBarrier allThreadsBusy = new CyclicBarrier(POOL_THREADS);
        List<Future<String>> seen = new ArrayList<>();
        for (int i = 0; i < POOL_THREADS; i++) {
            seen.add(POOL.submit(() -> {
                allThreadsBusy.await(10, TimeUnit.SECONDS);
                return MDC.get("requestId");
            }));
        }
        List<String> result = new ArrayList<>();
        for (Future<String> f : seen) {
            result.add(f.get(20, TimeUnit.SECONDS));
        }
        return result;
    }

    static void assertEveryLineCarriesItsOwnId(List<String> lines, int expectedLines) {
        List<String> mismatches = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.split("\\|", 3);
            String fromMdc = parts[0];
            String fromMessage = parts.length < 3 ? "<no message>" : parts[2].split(" ", 2)[0];
            if (!fromMdc.equals(fromMessage)) {
                mismatches.add(line);
            }
        }
        assertThat(mismatches).as("lines whose %%X{requestId} is not their request's").isEmpty();
        assertThat(lines).hasSize(expectedLines);
    }

    static <T> Supplier<T> bound(Supplier<T> fn) {
        Snapshot context = AsyncLocalStorage.snapshot();
        return () -> context.run(fn::get);
    }

    static <T, R> Function<T, R> bound(Function<T, R> fn) {
        Snapshot context = AsyncLocalStorage.snapshot();
        return t -> context.run(() -> fn.apply(t));
    }

    static <T> Consumer<T> boundConsumer(Consumer<T> fn) {
        Snapshot context = AsyncLocalStorage.snapshot();
        return t -> context.run(() -> fn.accept(t));
    }

    /** Virtual threads exist from JDK 21; the build targets 17, hence the reflection. */
    static ExecutorService newVirtualThreadPerTaskExecutor() {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21 or later");
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
