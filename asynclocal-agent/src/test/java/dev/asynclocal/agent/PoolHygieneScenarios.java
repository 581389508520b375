package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.TIMEOUT_SECONDS;
import static dev.asynclocal.agent.Kit.await;
import static dev.asynclocal.agent.Kit.awaitQuietly;
import static dev.asynclocal.agent.Kit.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncLocalStorage;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pool hygiene: however a task ends, the worker thread's context afterwards is exactly what it
 * was before (and, for {@code CallerRunsPolicy}, the caller's). One test per way of ending:
 * <ol>
 *   <li>normal return;</li>
 *   <li>an exception, from {@code submit} (kept in the future) and from {@code execute} (kills
 *       the worker);</li>
 *   <li>{@code cancel(true)} while running;</li>
 *   <li>a direct interrupt of the worker;</li>
 *   <li>a timed-out {@code Future.get};</li>
 *   <li>a timed-out {@code invokeAll};</li>
 *   <li>a timed-out {@code invokeAny};</li>
 *   <li>rejection by a saturated pool with {@code AbortPolicy}, {@code CallerRunsPolicy},
 *       {@code DiscardPolicy} and {@code DiscardOldestPolicy};</li>
 *   <li>{@code shutdownNow()} with a task running and one queued;</li>
 *   <li>a task submitted outside any context (the agent does not wrap it), to a thread pool and
 *       to a fork/join pool.</li>
 * </ol>
 * Every task sets both stores with {@code enterWith} before it ends, so that a leak would show.
 * The worker is then probed by a raw task submitted to the unwrapped pool from a thread with no
 * context (under the agent such a task is not wrapped, so it sees the worker's own context), and
 * by what the pool's {@code beforeExecute}/{@code afterExecute} saw outside the tasks.
 * {@link PoolHygieneTest} runs it through the wrappers, {@link PoolHygieneIT} under the agent.
 */
abstract class PoolHygieneScenarios {
    static final AsyncLocalStorage<String> OTHER = new AsyncLocalStorage<>("other");

    private final List<ExecutorService> toShutDown = new CopyOnWriteArrayList<>();

    /** The executor as this mode's code would use it: wrapped, or itself under the agent. */
    abstract ExecutorService propagating(ExecutorService executor);

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (ExecutorService executor : toShutDown) {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        assertCallerClean();
    }

    /** A one-thread pool that records what its worker sees outside the tasks. */
    static class Pool extends ThreadPoolExecutor {
        final Queue<String> outside = new ConcurrentLinkedQueue<>();

        Pool(BlockingQueue<Runnable> queue, RejectedExecutionHandler handler, ThreadFactory threads) {
            super(1, 1, 1, TimeUnit.MINUTES, queue, threads, handler);
        }

        Pool(BlockingQueue<Runnable> queue, RejectedExecutionHandler handler) {
            this(queue, handler, PropagationScenarios.daemons("hygiene"));
        }

        Pool() {
            this(new LinkedBlockingQueue<>(), new AbortPolicy());
        }

        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            outside.add(seen());
        }

        @Override
        protected void afterExecute(Runnable r, Throwable t) {
            outside.add(seen());
        }
    }

    private <E extends ExecutorService> E track(E executor) {
        toShutDown.add(executor);
        return executor;
    }

    /** Both stores and the execution id where this is called. */
    static String seen() {
        return STORE.getStore() + "/" + OTHER.getStore() + "/" + AsyncHooks.executionAsyncId();
    }

    static final String CLEAN = "null/null/1";

    /** What a task does before it ends: set both stores, so that any leak shows. */
    static void dirty(String name) {
        STORE.enterWith(name + "-leaked");
        OTHER.enterWith(name + "-leaked");
    }

    /** Probes the worker with a raw task, submitted from no context to the unwrapped pool. */
    static void assertWorkerClean(Pool raw) throws Exception {
        assertCallerClean();
        assertThat(get(raw.submit(PoolHygieneScenarios::seen))).as("a raw task on the worker afterwards").isEqualTo(CLEAN);
        assertThat(raw.outside).as("what the worker saw outside the tasks").isNotEmpty().allMatch(CLEAN::equals);
    }

    static void assertCallerClean() {
        assertThat(seen()).as("the test thread's own context").isEqualTo(CLEAN);
    }

    /** Runs {@code body} in the caller context "caller"/"caller-other" and checks it is intact after. */
    static void asCaller(ThrowingRunnable body) {
        STORE.run("caller", () -> {
            OTHER.enterWith("caller-other");
            try {
                body.run();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(STORE.getStore() + "/" + OTHER.getStore()).as("the caller's context").isEqualTo("caller/caller-other");
        });
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ------------------------------------------------------------------ the paths

    @Test
    void aTaskSubmittedOutsideAnyContextLeavesNothingOnTheWorker() throws Exception {
        assertCallerClean();
        Pool raw = track(new Pool());
        ExecutorService pool = propagating(raw);
        get(pool.submit(() -> {
            dirty("no-context-submit");
            return null;
        }));
        pool.execute(() -> dirty("no-context-execute"));
        assertWorkerClean(raw); // the probe queues behind the execute on the one worker
    }

    @Test
    void aForkJoinTaskSubmittedOutsideAnyContextLeavesNothingOnTheWorker() throws Exception {
        assertCallerClean();
        ForkJoinPool raw = track(new ForkJoinPool(1));
        ExecutorService pool = propagating(raw);
        get(pool.submit(() -> {
            dirty("no-context-fork-join");
            return null;
        }));
        assertThat(get(raw.submit(PoolHygieneScenarios::seen))).as("a raw task on the worker afterwards")
                .isEqualTo(CLEAN);
    }

    @Test
    void normalReturn() throws Exception {
        Pool raw = track(new Pool());
        ExecutorService e = propagating(raw);
        AtomicReference<Future<String>> f = new AtomicReference<>();
        asCaller(() -> f.set(e.submit(() -> {
            String inside = STORE.getStore();
            dirty("returned");
            return inside;
        })));
        assertThat(get(f.get())).isEqualTo("caller");
        assertWorkerClean(raw);
    }

    @Test
    void exceptionFromSubmitAndFromExecute() throws Exception {
        Pool raw = track(new Pool());
        ExecutorService e = propagating(raw);
        AtomicReference<Future<Object>> f = new AtomicReference<>();
        CountDownLatch executeRan = new CountDownLatch(1);
        asCaller(() -> {
            f.set(e.submit(() -> {
                dirty("submit-threw");
                throw new IllegalStateException("from submit");
            }));
            e.execute(() -> {
                dirty("execute-threw");
                executeRan.countDown();
                throw new IllegalStateException("from execute"); // ends the worker; the pool starts another
            });
        });
        assertThatThrownBy(() -> get(f.get())).isInstanceOf(ExecutionException.class).hasRootCauseMessage("from submit");
        await(executeRan);
        assertWorkerClean(raw);
    }

    @Test
    void cancelWithInterruptWhileRunning() throws Exception {
        Pool raw = track(new Pool());
        ExecutorService e = propagating(raw);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<Future<?>> f = new AtomicReference<>();
        asCaller(() -> f.set(e.submit(() -> {
            dirty("cancelled");
            started.countDown();
            awaitQuietly(new CountDownLatch(1)); // until interrupted
            ended.countDown();
        })));
        await(started);
        assertThat(f.get().cancel(true)).isTrue();
        await(ended);
        assertWorkerClean(raw);
    }

    @Test
    void workerInterruptedDirectly() throws Exception {
        Pool raw = track(new Pool());
        ExecutorService e = propagating(raw);
        AtomicReference<Thread> worker = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Future<Object>> f = new AtomicReference<>();
        asCaller(() -> f.set(e.submit(() -> {
            dirty("interrupted");
            worker.set(Thread.currentThread());
            started.countDown();
            new CountDownLatch(1).await(TIMEOUT_SECONDS, TimeUnit.SECONDS); // throws when interrupted
            return "not interrupted";
        })));
        await(started);
        worker.get().interrupt();
        assertThatThrownBy(() -> get(f.get())).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertWorkerClean(raw);
    }

    @Test
    void timedOutGet() throws Exception {
        Pool raw = track(new Pool());
        ExecutorService e = propagating(raw);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Future<String>> f = new AtomicReference<>();
        asCaller(() -> {
            f.set(e.submit(() -> {
                dirty("slow");
                awaitQuietly(release);
                return "done";
            }));
            assertThatThrownBy(() -> f.get().get(5, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        });
        release.countDown();
        assertThat(get(f.get())).isEqualTo("done");
        assertWorkerClean(raw);
    }

    @Test
    void timedOutInvokeAll() throws Exception {
        Pool raw = track(new Pool());
        ExecutorService e = propagating(raw);
        CountDownLatch blockedEnded = new CountDownLatch(1);
        AtomicReference<List<Future<String>>> futures = new AtomicReference<>();
        asCaller(() -> futures.set(e.invokeAll(List.<Callable<String>>of(() -> {
            dirty("quick");
            return STORE.getStore();
        }, () -> {
            dirty("blocked");
            try {
                awaitQuietly(new CountDownLatch(1)); // until cancelled by the timeout
            } finally {
                blockedEnded.countDown();
            }
            return "not cancelled";
        }, () -> {
            dirty("never started");
            return "never started";
        }), 50, TimeUnit.MILLISECONDS)));
        assertThat(get(futures.get().get(0))).isEqualTo("quick-leaked");
        assertThat(futures.get().get(1).isCancelled()).isTrue();
        assertThat(futures.get().get(2).isCancelled()).isTrue();
        await(blockedEnded);
        assertWorkerClean(raw);
    }

    @Test
    void timedOutInvokeAny() throws Exception {
        Pool raw = track(new Pool());
        ExecutorService e = propagating(raw);
        CountDownLatch blockedEnded = new CountDownLatch(1);
        asCaller(() -> assertThatThrownBy(() -> e.invokeAny(List.<Callable<String>>of(() -> {
            dirty("blocked");
            try {
                awaitQuietly(new CountDownLatch(1));
            } finally {
                blockedEnded.countDown();
            }
            throw new IllegalStateException("no result");
        }), 50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class));
        await(blockedEnded);
        assertWorkerClean(raw);
    }

    /** Occupies the worker and fills the one-slot queue; returns the latch that lets them go. */
    private static CountDownLatch saturate(ExecutorService e, AtomicBoolean queuedRan) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        STORE.run("occupying", () -> {
            e.execute(() -> {
                dirty("occupying");
                started.countDown();
                awaitQuietly(release);
            });
            e.execute(() -> {
                dirty("queued");
                queuedRan.set(true);
            });
        });
        await(started);
        return release;
    }

    private Pool saturable(RejectedExecutionHandler handler) {
        return track(new Pool(new ArrayBlockingQueue<>(1), handler));
    }

    @Test
    void rejectedWithAbortPolicy() throws Exception {
        Pool raw = saturable(new ThreadPoolExecutor.AbortPolicy());
        ExecutorService e = propagating(raw);
        AtomicBoolean queuedRan = new AtomicBoolean();
        CountDownLatch release = saturate(e, queuedRan);
        AtomicBoolean rejectedRan = new AtomicBoolean();
        asCaller(() -> assertThatThrownBy(() -> e.execute(() -> {
            dirty("rejected");
            rejectedRan.set(true);
        })).isInstanceOf(RejectedExecutionException.class));
        release.countDown();
        // the probe must find room in the queue (and not be run by CallerRunsPolicy on this thread)
        Kit.awaitTrue(queuedRan::get, "the queued task to run");
        assertWorkerClean(raw);
        assertThat(rejectedRan).isFalse();
    }

    @Test
    void rejectedWithCallerRunsPolicy() throws Exception {
        Pool raw = saturable(new ThreadPoolExecutor.CallerRunsPolicy());
        ExecutorService e = propagating(raw);
        AtomicBoolean queuedRan = new AtomicBoolean();
        CountDownLatch release = saturate(e, queuedRan);
        AtomicReference<String> inside = new AtomicReference<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        asCaller(() -> STORE.run("submitted", () -> {
            e.execute(() -> {
                ranOn.set(Thread.currentThread());
                inside.set(STORE.getStore());
                dirty("caller-ran");
            });
            assertThat(STORE.getStore() + "/" + OTHER.getStore()).isEqualTo("submitted/caller-other");
        }));
        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
        assertThat(inside.get()).isEqualTo("submitted");
        release.countDown();
        // the probe must find room in the queue (and not be run by CallerRunsPolicy on this thread)
        Kit.awaitTrue(queuedRan::get, "the queued task to run");
        assertWorkerClean(raw);
    }

    @Test
    void rejectedWithDiscardPolicy() throws Exception {
        Pool raw = saturable(new ThreadPoolExecutor.DiscardPolicy());
        ExecutorService e = propagating(raw);
        AtomicBoolean queuedRan = new AtomicBoolean();
        CountDownLatch release = saturate(e, queuedRan);
        AtomicBoolean discardedRan = new AtomicBoolean();
        asCaller(() -> e.execute(() -> {
            dirty("discarded");
            discardedRan.set(true);
        }));
        release.countDown();
        // the probe must find room in the queue (and not be run by CallerRunsPolicy on this thread)
        Kit.awaitTrue(queuedRan::get, "the queued task to run");
        assertWorkerClean(raw);
        assertThat(discardedRan).isFalse();
    }

    @Test
    void rejectedWithDiscardOldestPolicy() throws Exception {
        Pool raw = saturable(new ThreadPoolExecutor.DiscardOldestPolicy());
        ExecutorService e = propagating(raw);
        AtomicBoolean queuedRan = new AtomicBoolean();
        CountDownLatch release = saturate(e, queuedRan);
        AtomicReference<String> newest = new AtomicReference<>();
        CountDownLatch newestRan = new CountDownLatch(1);
        asCaller(() -> e.execute(() -> {
            newest.set(STORE.getStore());
            dirty("newest");
            newestRan.countDown();
        }));
        release.countDown();
        await(newestRan);
        assertWorkerClean(raw);
        assertThat(queuedRan).as("the oldest queued task was discarded").isFalse();
        assertThat(newest.get()).isEqualTo("caller");
    }

    @Test
    void shutdownNowWithATaskRunningAndOneQueued() throws Exception {
        // What each worker holds once it has left the pool, on its own thread.
        Queue<String> atExit = new ConcurrentLinkedQueue<>();
        ThreadFactory daemons = PropagationScenarios.daemons("hygiene");
        Pool raw = track(new Pool(new LinkedBlockingQueue<>(), new ThreadPoolExecutor.AbortPolicy(), r -> daemons.newThread(() -> {
            r.run();
            atExit.add(Thread.currentThread().getName() + ":" + seen());
        })));
        ExecutorService e = propagating(raw);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean queuedRan = new AtomicBoolean();
        AtomicReference<List<Runnable>> neverRan = new AtomicReference<>();
        asCaller(() -> {
            e.execute(() -> {
                dirty("running");
                started.countDown();
                awaitQuietly(new CountDownLatch(1)); // until shutdownNow interrupts it
            });
            e.execute(() -> {
                dirty("queued");
                queuedRan.set(true);
            });
            await(started);
            neverRan.set(e.shutdownNow());
        });
        assertThat(e.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(neverRan.get()).hasSize(1);
        assertThat(queuedRan).isFalse();
        Kit.awaitTrue(() -> !atExit.isEmpty(), "the worker thread to end");
        assertThat(atExit).as("the worker, after leaving the pool").containsExactly("hygiene-1:" + CLEAN);
        assertThat(raw.outside).isNotEmpty().allMatch(CLEAN::equals);
        assertCallerClean();
    }

    @Test
    void cancelledBeforeRunning() throws Exception {
        Pool raw = track(new Pool());
        ExecutorService e = propagating(raw);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        AtomicReference<Future<?>> queued = new AtomicReference<>();
        asCaller(() -> {
            e.execute(() -> {
                dirty("first");
                awaitQuietly(release);
            });
            queued.set(e.submit(() -> {
                dirty("cancelled-before");
                ran.set(true);
            }));
            assertThat(queued.get().cancel(true)).isTrue();
        });
        release.countDown();
        assertWorkerClean(raw);
        assertThat(ran).isFalse();
        assertThatThrownBy(queued.get()::get).isInstanceOf(CancellationException.class);
    }
}
