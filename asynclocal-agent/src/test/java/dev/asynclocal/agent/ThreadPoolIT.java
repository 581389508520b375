package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.TIMEOUT_SECONDS;
import static dev.asynclocal.agent.Kit.await;
import static dev.asynclocal.agent.Kit.awaitQuietly;
import static dev.asynclocal.agent.Kit.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.agent.Kit.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What only the agent does to plain {@code ThreadPoolExecutor}s: worker threads a pool creates
 * while a request is active start with no context; the pool's own callbacks and every method that
 * hands back queued tasks see the user's tasks, never the agent's wrappers; and nothing is
 * wrapped when there is no context to carry.
 */
class ThreadPoolIT {
    private final List<ExecutorService> toShutDown = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutDown() throws InterruptedException {
        for (ExecutorService executor : toShutDown) {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(STORE.getStore()).isNull();
    }

    private <E extends ExecutorService> E track(E executor) {
        toShutDown.add(executor);
        return executor;
    }

    /** A factory whose threads record the store they see when they start, before the pool's loop. */
    static final class RecordingFactory implements ThreadFactory {
        final Queue<String> atStart = new ConcurrentLinkedQueue<>();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(() -> {
                atStart.add(String.valueOf(STORE.getStore()));
                r.run();
            });
            t.setDaemon(true);
            return t;
        }
    }

    @Test
    void workersCreatedDuringARequestStartWithNoContext() throws Exception {
        RecordingFactory factory = new RecordingFactory();
        ThreadPoolExecutor pool = track(new ThreadPoolExecutor(3, 3, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), factory));
        ScheduledThreadPoolExecutor scheduler = track(new ScheduledThreadPoolExecutor(2, factory));
        STORE.run("request", () -> {
            try {
                assertThat(get(pool.submit(STORE::getStore))).isEqualTo("request"); // creates a worker
                pool.prestartAllCoreThreads();
                assertThat(get(scheduler.schedule(STORE::getStore, 1, TimeUnit.MILLISECONDS))).isEqualTo("request");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Kit.awaitTrue(() -> factory.atStart.size() >= 4, "the workers to start");
        assertThat(factory.atStart).allMatch("null"::equals);
        // And between tasks, on every worker, nothing is left over.
        List<Future<String>> probes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            probes.add(pool.submit(STORE::getStore));
        }
        for (Future<String> probe : probes) {
            assertThat(get(probe)).isNull();
        }
    }

    @Test
    void forkJoinWorkersCreatedDuringARequestStartWithNoContext() throws Exception {
        Queue<String> atStart = new ConcurrentLinkedQueue<>();
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = p -> new ForkJoinWorkerThread(p) {
            @Override
            protected void onStart() {
                atStart.add(String.valueOf(STORE.getStore()));
            }
        };
        ForkJoinPool pool = track(new ForkJoinPool(2, factory, null, false));
        assertThat(STORE.run("request", () -> get(pool.submit(STORE::getStore)))).isEqualTo("request");
        Kit.awaitTrue(() -> !atStart.isEmpty(), "a worker to start");
        assertThat(atStart).allMatch("null"::equals);
        assertThat(get(pool.submit(STORE::getStore))).isNull();
    }

    /** A pool that records what its callbacks are given. */
    static final class Inspecting extends ThreadPoolExecutor {
        final Queue<Runnable> before = new ConcurrentLinkedQueue<>();
        final Queue<Runnable> after = new ConcurrentLinkedQueue<>();
        final Queue<String> seenBefore = new ConcurrentLinkedQueue<>();

        Inspecting(int threads) {
            super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "inspecting");
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            before.add(r);
            seenBefore.add(String.valueOf(STORE.getStore()));
        }

        @Override
        protected void afterExecute(Runnable r, Throwable t) {
            after.add(r);
        }
    }

    @Test
    void beforeAndAfterExecuteSeeTheUsersTasks() throws Exception {
        Inspecting pool = track(new Inspecting(1));
        CountDownLatch ran = new CountDownLatch(1);
        Runnable task = ran::countDown;
        STORE.run("request", () -> pool.execute(task));
        await(ran);
        Future<String> submitted = STORE.run("request", () -> pool.submit(STORE::getStore));
        assertThat(get(submitted)).isEqualTo("request");
        Kit.awaitTrue(() -> pool.after.size() == 2, "afterExecute of both tasks");
        assertThat(pool.before).containsExactly(task, (Runnable) submitted);
        assertThat(pool.after).containsExactly(task, (Runnable) submitted);
        assertThat(pool.seenBefore).containsExactly("null", "null");
    }

    @Test
    void nothingIsWrappedWithoutAContextAndGetQueueShowsTheWrappersOtherwise() throws Exception {
        ThreadPoolExecutor pool = track(new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>()));
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(() -> awaitQuietly(release));
        Runnable plain = () -> { };
        Runnable carried = () -> { };
        pool.execute(plain);
        STORE.run("request", () -> pool.execute(carried));
        List<Runnable> queued = new ArrayList<>(pool.getQueue());
        assertThat(queued).hasSize(2);
        assertThat(queued.get(0)).isSameAs(plain);
        assertThat(queued.get(1)).isNotSameAs(carried).hasToString(carried.toString());
        release.countDown();
    }

    @Test
    void shutdownNowReturnsTheUsersTasks() throws Exception {
        ThreadPoolExecutor pool = track(new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>()));
        CountDownLatch started = new CountDownLatch(1);
        pool.execute(() -> {
            started.countDown();
            awaitQuietly(new CountDownLatch(1));
        });
        await(started);
        Runnable a = () -> { };
        Runnable b = () -> { };
        STORE.run("request", () -> pool.execute(a));
        pool.execute(b);
        Future<?> c = STORE.run("request", () -> pool.submit(() -> "c"));
        assertThat(pool.shutdownNow()).containsExactly(a, b, (Runnable) c);
    }

    @Test
    void removeAndPurgeFindTheUsersTasks() throws Exception {
        ThreadPoolExecutor pool = track(new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>()));
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(() -> awaitQuietly(release));
        Runnable removable = () -> { };
        STORE.run("request", () -> pool.execute(removable));
        Future<?> cancelled = STORE.run("request", () -> pool.submit(() -> { }));
        assertThat(pool.getQueue()).hasSize(2);
        assertThat(pool.remove(removable)).isTrue();
        assertThat(pool.remove(removable)).isFalse();
        assertThat(pool.getQueue()).hasSize(1);
        cancelled.cancel(false);
        pool.purge();
        assertThat(pool.getQueue()).isEmpty();
        release.countDown();
    }

    @Test
    void rejectionHandlersSeeTheUsersTaskAndCallerRunsKeepsTheCallersContext() throws Exception {
        AtomicReference<Runnable> rejected = new AtomicReference<>();
        ThreadPoolExecutor full = track(new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(1),
                (r, e) -> rejected.set(r)));
        CountDownLatch release = new CountDownLatch(1);
        full.execute(() -> awaitQuietly(release));
        full.execute(() -> { });
        Runnable third = () -> { };
        STORE.run("request", () -> full.execute(third));
        assertThat(rejected.get()).isSameAs(third);
        release.countDown();

        ThreadPoolExecutor callerRuns = track(new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(1),
                new ThreadPoolExecutor.CallerRunsPolicy()));
        CountDownLatch release2 = new CountDownLatch(1);
        callerRuns.execute(() -> awaitQuietly(release2));
        callerRuns.execute(() -> { });
        AtomicReference<String> seen = new AtomicReference<>();
        STORE.run("caller", () -> callerRuns.execute(() -> seen.set(STORE.getStore() + "@" + Thread.currentThread().getName())));
        assertThat(seen.get()).isEqualTo("caller@" + Thread.currentThread().getName());
        release2.countDown();

        ThreadPoolExecutor aborting = track(new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(1)));
        CountDownLatch release3 = new CountDownLatch(1);
        aborting.execute(() -> awaitQuietly(release3));
        aborting.execute(() -> { });
        Runnable named = new Runnable() {
            @Override
            public void run() {
            }

            @Override
            public String toString() {
                return "the-users-task";
            }
        };
        assertThatThrownBy(() -> STORE.run("request", () -> aborting.execute(named)))
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("the-users-task");
        release3.countDown();
    }

    @Test
    void wrappersUnderTheAgentCaptureOnce() throws Exception {
        ExecutorService pool = track(Executors.newFixedThreadPool(1));
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        try (Recorder recorder = new Recorder().enable()) {
            long trigger = dev.asynclocal.AsyncHooks.executionAsyncId();
            int before = recorder.initsTriggeredBy("Executor", trigger).size();
            assertThat(get(STORE.run("request", () -> wrapped.submit(STORE::getStore)))).isEqualTo("request");
            assertThat(recorder.initsTriggeredBy("Executor", trigger)).hasSize(before + 1);
        }
    }
}
