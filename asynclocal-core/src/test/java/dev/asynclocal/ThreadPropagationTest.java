package dev.asynclocal;

import static dev.asynclocal.PropagationTestKit.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.PropagationTestKit.Event;
import dev.asynclocal.PropagationTestKit.Recorder;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Threads without the agent: {@link AsyncLocalStorage#bind} carries the context into
 * {@code new Thread(...)}; and a chain of nested boundaries (pool task, future stage, scheduled
 * task, thread) hands the context from each hop to the next, with hook trigger ids forming the
 * same chain. The virtual-thread counterparts are in {@code src/test/java21}.
 */
class ThreadPropagationTest {
    static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");
    static final AsyncLocalStorage<String> HOP = new AsyncLocalStorage<>("hop");

    static String seen() {
        return REQUEST.getStore() + "/" + HOP.getStore();
    }

    /** Starts a platform thread running {@code task} and waits for it. */
    static void runOnNewThread(Runnable task) throws InterruptedException {
        Thread thread = new Thread(task, "bound-thread");
        thread.start();
        thread.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void boundRunnableCarriesEveryStoreIntoANewThread() throws Exception {
        AtomicReference<String> inside = new AtomicReference<>();
        Runnable bound = REQUEST.run("r-1", () -> HOP.run("h-1", () ->
                AsyncLocalStorage.bind(() -> inside.set(seen()))));
        runOnNewThread(bound);
        assertThat(inside.get()).isEqualTo("r-1/h-1");
    }

    @Test
    void anUnboundThreadSeesNothing() throws Exception {
        // Without bind (or the agent) a new thread starts with an empty context.
        AtomicReference<String> inside = new AtomicReference<>();
        REQUEST.run("r-1", () -> {
            try {
                runOnNewThread(() -> inside.set(seen()));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(inside.get()).isEqualTo("null/null");
    }

    @Test
    void theThreadGetsItsOwnContextBackAfterTheBoundCode() throws Exception {
        Runnable bound = REQUEST.run("captured", () -> AsyncLocalStorage.bind(() -> REQUEST.enterWith("leak")));
        AtomicReference<String> after = new AtomicReference<>();
        runOnNewThread(() -> {
            REQUEST.enterWith("thread-own");
            bound.run();
            after.set(REQUEST.getStore());
        });
        assertThat(after.get()).isEqualTo("thread-own");
    }

    @Test
    void boundCallableRunsInItsContextAsAThreadsTask() throws Exception {
        Callable<String> bound = REQUEST.run("r-2", () -> AsyncLocalStorage.bind((Callable<String>) REQUEST::getStore));
        FutureTask<String> task = new FutureTask<>(bound);
        runOnNewThread(task);
        assertThat(task.get()).isEqualTo("r-2");
    }

    @Test
    void withAHookABoundThreadTaskIsASnapshotResource() throws Exception {
        Recorder recorder = new Recorder().enable();
        try {
            AsyncResource starter = new AsyncResource("Starter");
            AtomicReference<Long> idInside = new AtomicReference<>();
            Runnable bound = starter.runInAsyncScope(() ->
                    AsyncLocalStorage.bind(() -> idInside.set(AsyncHooks.executionAsyncId())));
            runOnNewThread(bound);
            Event init = recorder.onlyInit("Snapshot");
            assertThat(init.triggerAsyncId).isEqualTo(starter.asyncId());
            assertThat(idInside.get()).isEqualTo(init.asyncId);
        } finally {
            recorder.disable();
        }
    }

    /**
     * The hops of {@link #nestedBoundariesHandTheContextOn}: each runs {@code next} after
     * setting its own {@code HOP} store, through a different kind of boundary.
     */
    static void nestedChain(ExecutorService pool, ScheduledExecutorService scheduler,
            Consumer<Runnable> lastBoundary, List<String> seenAtEachHop, CompletableFuture<String> end) {
        REQUEST.run("r-nested", () -> HOP.run("start", () -> pool.execute(() -> {
            seenAtEachHop.add("pool:" + seen());
            HOP.run("pool", () -> {
                AsyncCompletableFuture<String> trigger = new AsyncCompletableFuture<>();
                trigger.thenAccept(v -> {
                    seenAtEachHop.add("stage:" + seen());
                    HOP.run("stage", () -> scheduler.schedule(() -> {
                        seenAtEachHop.add("scheduled:" + seen());
                        HOP.run("scheduled", () -> lastBoundary.accept(() -> {
                            seenAtEachHop.add("thread:" + seen());
                            end.complete(seen());
                        }));
                    }, 1, TimeUnit.MILLISECONDS));
                });
                // Completed from a context of its own: the stage must not see it.
                REQUEST.run("completer", () -> HOP.run("completer", () -> trigger.complete("go")));
            });
        })));
    }

    @Test
    void nestedBoundariesHandTheContextOn() throws Exception {
        ExecutorService pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
        ScheduledExecutorService scheduler = AsyncExecutors.wrap(Executors.newSingleThreadScheduledExecutor());
        Recorder recorder = new Recorder().enable();
        try {
            List<String> hops = new java.util.concurrent.CopyOnWriteArrayList<>();
            CompletableFuture<String> end = new CompletableFuture<>();
            nestedChain(pool, scheduler, task -> new Thread(AsyncLocalStorage.bind(task), "last-hop").start(),
                    hops, end);
            assertThat(end.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("r-nested/scheduled");
            assertThat(hops).containsExactly("pool:r-nested/start", "stage:r-nested/pool",
                    "scheduled:r-nested/stage", "thread:r-nested/scheduled");

            // Each hop's resource was triggered by the hop before it.
            Event executor = recorder.onlyInit("Executor");
            Event stage = recorder.onlyInit("CompletableFuture");
            Event scheduled = recorder.onlyInit("ScheduledTask");
            Event thread = recorder.onlyInit("Snapshot");
            assertThat(executor.triggerAsyncId).isEqualTo(1);
            assertThat(stage.triggerAsyncId).isEqualTo(executor.asyncId);
            assertThat(scheduled.triggerAsyncId).isEqualTo(stage.asyncId);
            assertThat(thread.triggerAsyncId).isEqualTo(scheduled.asyncId);
        } finally {
            recorder.disable();
            pool.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
