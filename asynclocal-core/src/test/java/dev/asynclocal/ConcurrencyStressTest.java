package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stress tests for the claim that a thread only ever sees the stores it set itself or that it
 * explicitly runs in (a snapshot, a resource), never another thread's.
 *
 * <p>Race checked: many threads run, enter, scope, snapshot and exit on the <em>same</em>
 * {@link AsyncLocalStorage} instances at once, while sharing one snapshot taken elsewhere. Each
 * thread checks every read against the value it expects; any read of another thread's value
 * (or of a stale one of its own) counts as a mismatch. Half the threads work on frames with ten
 * extra instances in them, so both small and large frame representations are exercised.
 * Bounded to 8 threads x 100,000 iterations with a time limit; it takes a few seconds on two cores.
 */
@SuppressWarnings("try") // scopes are opened for their effect only
class ConcurrencyStressTest {
    private static final int THREADS = 8;
    private static final int ITERATIONS = 100_000;
    private static final int FILLERS = 10;

    private final AsyncLocalStorage<Object> a = new AsyncLocalStorage<>("a");
    private final AsyncLocalStorage<Object> b = new AsyncLocalStorage<>("b");
    private final AsyncLocalStorage<Object> c = new AsyncLocalStorage<>("c");
    private final List<AsyncLocalStorage<Object>> fillers = new ArrayList<>();

    /** Per-thread mismatch counter and the first failure's description, for the report. */
    private final AtomicLong mismatches = new AtomicLong();
    private final AtomicLong checks = new AtomicLong();
    private final AtomicReference<String> firstMismatch = new AtomicReference<>();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void nestedRunEnterWithScopeAndSnapshotOnSharedInstances() throws Exception {
        for (int i = 0; i < FILLERS; i++) {
            fillers.add(new AsyncLocalStorage<>("filler" + i));
        }
        Object sharedA = "sharedA";
        Object sharedB = "sharedB";
        Snapshot shared = a.run(sharedA, () -> b.run(sharedB, () -> AsyncLocalStorage.snapshot()));

        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> crashes = new CopyOnWriteArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                    Worker worker = new Worker(index, shared, sharedA, sharedB);
                    if (index % 2 == 1) {
                        worker.withFillers(0);
                    } else {
                        worker.loop();
                    }
                    worker.publish();
                } catch (Throwable e) {
                    crashes.add(e);
                }
            }, "stress-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(55_000);
            assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
        }
        assertThat(crashes).isEmpty();
        assertThat(mismatches.get()).as("mismatching reads; first: %s", firstMismatch.get()).isZero();
        // every thread made every check (guards against a loop that silently did nothing)
        assertThat(checks.get()).isGreaterThanOrEqualTo((long) THREADS * ITERATIONS * 20);
    }

    /** One thread's work; counts locally and publishes once, so counting does not serialise it. */
    private final class Worker {
        private final int index;
        private final Snapshot shared;
        private final Object sharedA;
        private final Object sharedB;
        private final Object fillerValue;
        private final boolean hasFillers;
        private long localMismatches;
        private long localChecks;

        Worker(int index, Snapshot shared, Object sharedA, Object sharedB) {
            this.index = index;
            this.shared = shared;
            this.sharedA = sharedA;
            this.sharedB = sharedB;
            this.fillerValue = "filler-of-" + index;
            this.hasFillers = index % 2 == 1;
        }

        /** Nests one run per filler instance, then loops inside them all. */
        void withFillers(int depth) {
            if (depth == FILLERS) {
                loop();
                return;
            }
            fillers.get(depth).run(fillerValue, () -> withFillers(depth + 1));
        }

        void loop() {
            Object other = "other-" + index;
            for (int i = 0; i < ITERATIONS; i++) {
                Object mine = new Object();
                int iteration = i;
                a.run(mine, () -> {
                    expect(a.getStore(), mine, "a in run");
                    expect(b.getStore(), null, "b in run");
                    try (AsyncLocalStorage.Scope ignored = b.withScope(mine)) {
                        expect(b.getStore(), mine, "b in scope");
                        c.enterWith(mine);
                        expect(c.getStore(), mine, "c after enterWith");
                        Snapshot snap = AsyncLocalStorage.snapshot();
                        a.run(other, () -> {
                            expect(a.getStore(), other, "a in inner run");
                            snap.run(() -> {
                                expect(a.getStore(), mine, "a in own snapshot");
                                expect(b.getStore(), mine, "b in own snapshot");
                                expect(c.getStore(), mine, "c in own snapshot");
                            });
                            expect(a.getStore(), other, "a after own snapshot");
                            shared.run(() -> {
                                expect(a.getStore(), sharedA, "a in shared snapshot");
                                expect(b.getStore(), sharedB, "b in shared snapshot");
                                expect(c.getStore(), null, "c in shared snapshot");
                            });
                            expect(b.getStore(), mine, "b after shared snapshot");
                            expect(c.getStore(), mine, "c after shared snapshot");
                        });
                        a.exit(() -> {
                            expect(a.getStore(), null, "a in exit");
                            expect(b.getStore(), mine, "b in exit");
                        });
                        if ((iteration & 15) == 0) {
                            AsyncResource resource = new AsyncResource("Stress", 1, true);
                            a.run(other, () -> resource.runInAsyncScope(() -> {
                                expect(a.getStore(), mine, "a in resource scope");
                                expect(AsyncHooks.executionAsyncId(), resource.asyncId(), "execution id");
                            }));
                        }
                    }
                    expect(b.getStore(), null, "b after scope");
                    // close() restores the whole context saved by withScope, so the enterWith made inside ends too
                    expect(c.getStore(), null, "c after scope");
                });
                expect(a.getStore(), null, "a after run");
                expect(c.getStore(), null, "c after run");
                if (hasFillers) {
                    expect(fillers.get(iteration % FILLERS).getStore(), fillerValue, "filler");
                }
            }
        }

        private void expect(Object actual, Object expected, String what) {
            localChecks++;
            if (actual != expected && !(actual instanceof Long && actual.equals(expected))) {
                localMismatches++;
                firstMismatch.compareAndSet(null, "thread " + index + ", " + what + ": expected " + expected
                        + " but saw " + actual);
            }
        }

        void publish() {
            mismatches.addAndGet(localMismatches);
            checks.addAndGet(localChecks);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aThreadNeverSeesAnotherThreadsStoreExceptInsideASnapshotItRuns() throws Exception {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        AtomicReference<Snapshot> fromA = new AtomicReference<>();
        CountDownLatch aInside = new CountDownLatch(1);
        CountDownLatch bDone = new CountDownLatch(1);
        List<String> seenByA = new CopyOnWriteArrayList<>();
        List<String> seenByB = new CopyOnWriteArrayList<>();
        List<Throwable> crashes = new CopyOnWriteArrayList<>();

        // B exists (and is idle) before A sets anything, so nothing could have been inherited.
        Thread b = new Thread(() -> {
            try {
                assertThat(aInside.await(10, TimeUnit.SECONDS)).isTrue();
                seenByB.add(String.valueOf(als.getStore()));
                als.run("B", () -> {
                    seenByB.add(als.getStore());
                    fromA.get().run(() -> seenByB.add(als.getStore()));
                    seenByB.add(als.getStore());
                });
                fromA.get().run(() -> seenByB.add(als.getStore()));
                seenByB.add(String.valueOf(als.getStore()));
            } catch (Throwable e) {
                crashes.add(e);
            } finally {
                bDone.countDown();
            }
        }, "thread-B");
        Thread a = new Thread(() -> {
            try {
                als.run("A", () -> {
                    fromA.set(AsyncLocalStorage.snapshot());
                    aInside.countDown();
                    // while B runs A's snapshot, A itself keeps its own store
                    try {
                        assertThat(bDone.await(10, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    seenByA.add(als.getStore());
                });
                seenByA.add(String.valueOf(als.getStore()));
            } catch (Throwable e) {
                crashes.add(e);
            }
        }, "thread-A");
        b.start();
        a.start();
        a.join(20_000);
        b.join(20_000);
        assertThat(crashes).isEmpty();
        assertThat(seenByB).containsExactly("null", "B", "A", "B", "A", "null");
        assertThat(seenByA).containsExactly("A", "null");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void runningOneSnapshotOnManyThreadsAtOnceLeavesEachThreadsOwnContext() throws Exception {
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();
        Snapshot snap = als.run("captured", () -> AsyncLocalStorage.snapshot());
        int threads = 4;
        int rounds = 20_000;
        AtomicLong mismatchCount = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Object own = "own" + t;
            Thread worker = new Thread(() -> {
                long bad = 0;
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    bad++;
                }
                for (int i = 0; i < rounds; i++) {
                    long[] inside = new long[1];
                    als.run(own, () -> {
                        snap.run(() -> inside[0] += als.getStore() == "captured" ? 0 : 1);
                        inside[0] += als.getStore() == own ? 0 : 1;
                    });
                    bad += inside[0] + (als.getStore() == null ? 0 : 1);
                }
                mismatchCount.addAndGet(bad);
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join(25_000);
        }
        assertThat(mismatchCount.get()).isZero();
    }
}
