package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * <p>Hops propagate the way applications make them propagate: tasks go through an executor
 * wrapped by {@link AsyncExecutors#wrap}, future stages are registered on
 * {@link AsyncCompletableFuture}s. ({@code AdapterTest} binds by hand, to pin down the adapter
 * itself.)
 */
abstract class BackendContract {
    static final String PATTERN = "%X{requestId}|%X{step}|%m%n";
    static final Logger LOG = LoggerFactory.getLogger("scenario");
    static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

    private static final int POOL_THREADS = 4;
    /** The pool's threads, for what must not propagate: future stages pick their own context, and probes. */
    private static final ExecutorService THREADS = Executors.newFixedThreadPool(POOL_THREADS);
    /** The same threads, as the application submits to them. */
    private static final ExecutorService POOL = AsyncExecutors.wrap(THREADS);

    /** The lines the appender wrote since the previous call, without line ends. */
    abstract List<String> drainLines();

    @BeforeEach
    void freshAppender() {
        assertThat(AsyncLocalMdc.isInstalled()).isTrue();
        drainLines();
    }

    @AfterAll
    static void shutdownPool() {
        THREADS.shutdownNow();
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
                pending.add(POOL.submit(() -> LOG.info("{} on the pool", id)));
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
                pending.add(AsyncCompletableFuture
                        .supplyAsync(() -> {
                            LOG.info("{} supplyAsync", id);
                            return id;
                        }, THREADS)
                        .thenApplyAsync(x -> {
                            LOG.info("{} thenApplyAsync", x);
                            return x;
                        }, THREADS)
                        .thenAccept(x -> LOG.info("{} thenAccept", x)));
            });
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
        assertEveryLineCarriesItsOwnId(drainLines(), 60);
    }

    @Test
    void virtualThreadsLogTheIdOfTheRequestThatStartedThem() throws Exception {
        ExecutorService virtual = AsyncExecutors.wrap(newVirtualThreadPerTaskExecutor());
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String id = "r-" + i;
                REQUEST.run(id, () -> {
                    MDC.put("requestId", id);
                    pending.add(virtual.submit(() -> {
                        LOG.info("{} on a virtual thread", id);
                        Thread.yield();
                        LOG.info("{} still on it", id);
                    }));
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
            POOL.submit(() -> {
                MDC.put("step", "io");
                LOG.info("r-1 in the task");
            }).get(10, TimeUnit.SECONDS);
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
            AsyncCompletableFuture<?> hop = new AsyncCompletableFuture<>();
            POOL.execute(() -> {
                LOG.info("{} pool", id);
                hop.complete(null);
            });
            return hop.thenApplyAsync(x -> {
                LOG.info("{} stage", id);
                return x;
            }, THREADS);
        });
    }

    /**
     * Runs one task on each pool thread at once, submitted to the threads directly so that it
     * sees what the thread holds, and returns what each saw as its MDC.
     */
    private static List<String> mdcOfEveryPoolThread() throws Exception {
        CyclicBarrier allThreadsBusy = new CyclicBarrier(POOL_THREADS);
        List<Future<String>> seen = new ArrayList<>();
        for (int i = 0; i < POOL_THREADS; i++) {
            seen.add(THREADS.submit(() -> {
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
