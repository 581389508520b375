package dev.asynclocal;

import static dev.asynclocal.PropagationTestKit.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mixed boundaries under load. The race checked: many tasks, each submitted in a context of its
 * own, run interleaved on a few shared threads (pool workers, a scheduler thread, completers that
 * complete futures from yet other contexts); a wrapper that installed the wrong frame, or failed
 * to restore a thread's frame after a task, makes some task see another task's store. Every task
 * compares the store it sees with its own token by identity; the test asserts that every task ran
 * and that there were zero mismatches, and that no worker kept a store.
 *
 * <p>One million tasks, in batches (bounded memory and queue length), over seven kinds of
 * boundary. On a 2-core machine this takes a few seconds. Run it alone with
 * {@code mvn -pl asynclocal-core test -Dtest=PropagationStressTest}.
 */
class PropagationStressTest {
    static final AsyncLocalStorage<Object> STORE = new AsyncLocalStorage<>("stress");
    static final AsyncLocalStorage<Object> OTHER = new AsyncLocalStorage<>("other");

    static final int TASKS = 1_000_000;
    static final int BATCH = 20_000;
    static final int KINDS = 7;

    private ThreadPoolExecutor rawPool;
    private ThreadPoolExecutor rawStageExecutor;
    private ScheduledThreadPoolExecutor rawScheduler;
    private ExecutorService pool;
    private ScheduledExecutorService scheduler;

    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong mismatches = new AtomicLong();

    @BeforeEach
    void start() {
        rawPool = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        rawStageExecutor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        rawScheduler = new ScheduledThreadPoolExecutor(1);
        pool = AsyncExecutors.wrap(rawPool);
        scheduler = AsyncExecutors.wrap(rawScheduler);
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (ExecutorService e : new ExecutorService[] {rawPool, rawStageExecutor, rawScheduler}) {
            e.shutdownNow();
            assertThat(e.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A store nobody else has: compared by identity. */
    static final class Token {
        final int id;

        Token(int id) {
            this.id = id;
        }
    }

    private void check(Token mine, CountDownLatch done) {
        if (STORE.getStore() != mine) {
            mismatches.incrementAndGet();
        }
        checks.incrementAndGet();
        done.countDown();
    }

    @Test
    void aMillionTasksAcrossMixedBoundariesEachSeeExactlyTheirOwnStore() throws Exception {
        long start = System.nanoTime();
        Token completer = new Token(-1);
        for (int first = 0; first < TASKS; first += BATCH) {
            int size = Math.min(BATCH, TASKS - first);
            CountDownLatch done = new CountDownLatch(size);
            List<AsyncCompletableFuture<Object>> toComplete = new ArrayList<>(size / KINDS + 1);
            for (int i = first; i < first + size; i++) {
                Token mine = new Token(i);
                int kind = i % KINDS;
                STORE.run(mine, () -> submit(kind, mine, done, toComplete));
            }
            // Complete this batch's pending futures from pool threads running in another
            // context: the stages must still see their registration contexts.
            int half = toComplete.size() / 2;
            STORE.run(completer, () -> {
                rawPool.execute(() -> completeAll(toComplete.subList(0, half)));
                rawPool.execute(() -> completeAll(toComplete.subList(half, toComplete.size())));
            });
            assertThat(done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("batch at %d finished", first).isTrue();
            assertThat(STORE.getStore()).isNull();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(checks.get()).isEqualTo(TASKS);
        assertThat(mismatches.get()).isZero();
        assertNoWorkerKeptAStore();
        System.out.println("PropagationStressTest: " + TASKS + " tasks across " + KINDS + " boundaries in "
                + millis + " ms, 0 mismatches");
    }

    private static void completeAll(List<AsyncCompletableFuture<Object>> futures) {
        // The completer sets stores of its own on both instances while completing.
        OTHER.run("completer-other", () -> {
            for (AsyncCompletableFuture<Object> f : futures) {
                f.complete("go");
            }
        });
    }

    private void submit(int kind, Token mine, CountDownLatch done, List<AsyncCompletableFuture<Object>> toComplete) {
        switch (kind) {
            case 0:
                pool.execute(() -> check(mine, done));
                break;
            case 1:
                pool.submit(() -> {
                    check(mine, done);
                    return null;
                });
                break;
            case 2: {
                // A stage registered here, run by whichever completer completes the future.
                AsyncCompletableFuture<Object> future = new AsyncCompletableFuture<>();
                future.thenRun(() -> check(mine, done));
                toComplete.add(future);
                break;
            }
            case 3:
                // An async stage on a plain executor: only the stage's own capture carries it.
                AsyncCompletableFuture.completedFuture(mine).thenAcceptAsync(v -> check(mine, done), rawStageExecutor);
                break;
            case 4:
                scheduler.schedule(() -> check(mine, done), 0, TimeUnit.MILLISECONDS);
                break;
            case 5:
                // Nested: a task that enters another store, then hands work on from there.
                pool.execute(() -> {
                    STORE.enterWith(new Token(-2)); // ends with this task
                    STORE.run(mine, () -> pool.execute(() -> check(mine, done)));
                });
                break;
            default:
                AsyncCompletableFuture.supplyAsync(() -> mine, rawStageExecutor)
                        .thenApply(v -> {
                            check(mine, done);
                            return v;
                        });
                break;
        }
    }

    private void assertNoWorkerKeptAStore() throws Exception {
        // Raw tasks see what each thread has outside any wrapped task: nothing.
        for (int i = 0; i < 8; i++) {
            assertThat(rawPool.submit(STORE::getStore).get()).isNull();
            assertThat(rawPool.submit(OTHER::getStore).get()).isNull();
            assertThat(rawStageExecutor.submit(STORE::getStore).get()).isNull();
            assertThat(rawScheduler.submit(STORE::getStore).get()).isNull();
        }
    }

    @Test
    void underAHookEveryResourceIsDestroyedExactlyOnceAndRunsBalance() throws Exception {
        Map<Long, String> types = new ConcurrentHashMap<>();
        Map<Long, AtomicLong> destroys = new ConcurrentHashMap<>();
        Map<Long, AtomicLong> balance = new ConcurrentHashMap<>();
        AsyncHook counter = AsyncHooks.createHook(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                types.put(asyncId, type);
                balance.put(asyncId, new AtomicLong());
                destroys.put(asyncId, new AtomicLong());
            }

            @Override
            public void before(long asyncId) {
                AtomicLong b = balance.get(asyncId);
                if (b != null) {
                    b.incrementAndGet();
                }
            }

            @Override
            public void after(long asyncId) {
                AtomicLong b = balance.get(asyncId);
                if (b != null) {
                    b.decrementAndGet();
                }
            }

            @Override
            public void destroy(long asyncId) {
                AtomicLong d = destroys.get(asyncId);
                if (d != null) {
                    d.incrementAndGet();
                }
            }
        }).enable();
        int tasks = 20_000;
        try {
            CountDownLatch done = new CountDownLatch(tasks);
            List<AsyncCompletableFuture<Object>> toComplete = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                Token mine = new Token(i);
                int kind = i % KINDS;
                STORE.run(mine, () -> submit(kind, mine, done, toComplete));
            }
            STORE.run(new Token(-1), () -> rawPool.execute(() -> completeAll(toComplete)));
            assertThat(done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            PropagationTestKit.awaitTrue(() -> destroys.values().stream().allMatch(d -> d.get() >= 1),
                    "a destroy for every resource");
            // The destroy thread delivers in order: once a marker queued now has arrived, so has
            // any second destroy of the resources above.
            AsyncResource marker = new AsyncResource("DestroyQueueMarker", 1, true);
            marker.emitDestroy();
            PropagationTestKit.awaitTrue(() -> destroys.get(marker.asyncId()).get() == 1, "the marker's destroy");
        } finally {
            counter.disable();
        }
        assertThat(checks.get()).isEqualTo(tasks);
        assertThat(mismatches.get()).isZero();
        assertThat(destroys.values()).allMatch(d -> d.get() == 1);
        assertThat(balance.values()).allMatch(b -> b.get() == 0);
        assertThat(types.values()).contains("Executor", "ScheduledTask", "CompletableFuture");
        // kinds 0,1,4 make one resource, 2,3,6 one or two, 5 two executor tasks: at least one per task
        assertThat(types).hasSizeGreaterThanOrEqualTo(tasks);
    }
}
