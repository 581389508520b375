package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.TIMEOUT_SECONDS;
import static dev.asynclocal.agent.Kit.await;
import static dev.asynclocal.agent.Kit.awaitQuietly;
import static dev.asynclocal.agent.Kit.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncResource;
import dev.asynclocal.agent.Kit.Event;
import dev.asynclocal.agent.Kit.Recorder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The propagation scenarios that hold in both modes with identical expectations: through the
 * wrappers ({@code AsyncExecutors}, {@code AsyncCompletableFuture}) without the agent
 * ({@link WrapperModeTest}), and through plain JDK classes under {@code -javaagent}
 * ({@link AgentModeIT}). A subclass says how an executor or a future is made to propagate in its
 * mode; nothing else differs.
 *
 * <p>Constructs only the agent reaches (fork/join tasks, parallel streams, threads, timers) are
 * in the agent's own tests.
 */
abstract class PropagationScenarios {
    private final List<ExecutorService> toShutDown = new CopyOnWriteArrayList<>();
    private final List<Recorder> recorders = new CopyOnWriteArrayList<>();

    /** The executor as this mode's code would use it: wrapped, or itself under the agent. */
    abstract ExecutorService propagating(ExecutorService executor);

    /** The scheduler as this mode's code would use it. */
    abstract ScheduledExecutorService propagating(ScheduledExecutorService executor);

    /** A new incomplete future whose stages follow the registration-context rule in this mode. */
    abstract <T> CompletableFuture<T> newFuture();

    /** {@code supplyAsync} in this mode. */
    abstract <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor);

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Recorder recorder : recorders) {
            recorder.close();
        }
        for (ExecutorService executor : toShutDown) {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(STORE.getStore()).as("the test thread's own context").isNull();
    }

    Recorder recorder() {
        Recorder recorder = new Recorder();
        recorders.add(recorder);
        return recorder.enable();
    }

    <E extends ExecutorService> E track(E executor) {
        toShutDown.add(executor);
        return executor;
    }

    static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> { }); // tasks that throw are expected
            return t;
        };
    }

    /** A pool that records the store its workers see outside the tasks. */
    static final class WatchedPool extends ThreadPoolExecutor {
        final Queue<String> outside = new ConcurrentLinkedQueue<>();

        WatchedPool(int threads) {
            super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), daemons("watched"));
        }

        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            outside.add(String.valueOf(STORE.getStore()));
        }

        @Override
        protected void afterExecute(Runnable r, Throwable t) {
            outside.add(String.valueOf(STORE.getStore()));
        }
    }

    /** The scheduled counterpart of {@link WatchedPool}. */
    static final class WatchedScheduler extends ScheduledThreadPoolExecutor {
        final Queue<String> outside = new ConcurrentLinkedQueue<>();

        WatchedScheduler(int threads) {
            super(threads, daemons("watched-scheduler"));
        }

        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            outside.add(String.valueOf(STORE.getStore()));
        }

        @Override
        protected void afterExecute(Runnable r, Throwable t) {
            outside.add(String.valueOf(STORE.getStore()));
        }
    }

    static void assertWorkersSawNothing(Queue<String> outside) {
        assertThat(outside).as("what workers saw outside the tasks").isNotEmpty().allMatch("null"::equals);
    }

    // ------------------------------------------------------------------ every executor, every entry point

    @FunctionalInterface
    interface EntryPoint {
        /** Submits {@code task} through one entry point and waits until it ran (at least once). */
        void submitAndWait(ExecutorService executor, Runnable task) throws Exception;
    }

    static <T> Callable<T> callable(Runnable task, T result) {
        return () -> {
            task.run();
            return result;
        };
    }

    static List<Object[]> executorEntryPoints() {
        List<Object[]> all = new ArrayList<>();
        all.add(new Object[] {"execute", (EntryPoint) (e, task) -> {
            CountDownLatch ran = new CountDownLatch(1);
            e.execute(() -> {
                task.run();
                ran.countDown();
            });
            await(ran);
        }});
        all.add(new Object[] {"submit(Runnable)", (EntryPoint) (e, task) -> assertThat(get(e.submit(task))).isNull()});
        all.add(new Object[] {"submit(Runnable, T)", (EntryPoint) (e, task) ->
                assertThat(get(e.submit(task, "result"))).isEqualTo("result")});
        all.add(new Object[] {"submit(Callable)", (EntryPoint) (e, task) ->
                assertThat(get(e.submit(callable(task, 7)))).isEqualTo(7)});
        all.add(new Object[] {"invokeAll", (EntryPoint) (e, task) -> {
            List<Future<Integer>> done = e.invokeAll(List.of(callable(task, 1), callable(task, 2)));
            assertThat(done.get(0).get()).isEqualTo(1);
            assertThat(done.get(1).get()).isEqualTo(2);
        }});
        all.add(new Object[] {"invokeAll(timeout)", (EntryPoint) (e, task) ->
                assertThat(e.invokeAll(List.of(callable(task, 1)), TIMEOUT_SECONDS, TimeUnit.SECONDS).get(0).get())
                        .isEqualTo(1)});
        all.add(new Object[] {"invokeAny", (EntryPoint) (e, task) ->
                assertThat(e.invokeAny(List.of(callable(task, 3)))).isEqualTo(3)});
        all.add(new Object[] {"invokeAny(timeout)", (EntryPoint) (e, task) ->
                assertThat(e.invokeAny(List.of(callable(task, 4)), TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(4)});
        return all;
    }

    /** Executors as {@code Executors.*} and the constructors make them; the common pool is shared. */
    List<Object[]> executors() {
        List<Object[]> all = new ArrayList<>();
        all.add(new Object[] {"ThreadPoolExecutor", (Supplier<ExecutorService>) () -> track(new WatchedPool(2))});
        all.add(new Object[] {"newFixedThreadPool", (Supplier<ExecutorService>) () ->
                track(Executors.newFixedThreadPool(2, daemons("fixed")))});
        all.add(new Object[] {"newSingleThreadExecutor", (Supplier<ExecutorService>) () ->
                track(Executors.newSingleThreadExecutor(daemons("single")))});
        all.add(new Object[] {"newCachedThreadPool", (Supplier<ExecutorService>) () ->
                track(Executors.newCachedThreadPool(daemons("cached")))});
        all.add(new Object[] {"unconfigurableExecutorService", (Supplier<ExecutorService>) () ->
                Executors.unconfigurableExecutorService(track(Executors.newFixedThreadPool(1, daemons("unconf"))))});
        all.add(new Object[] {"newScheduledThreadPool", (Supplier<ExecutorService>) () ->
                track(Executors.newScheduledThreadPool(2, daemons("sched")))});
        all.add(new Object[] {"newSingleThreadScheduledExecutor", (Supplier<ExecutorService>) () ->
                track(Executors.newSingleThreadScheduledExecutor(daemons("single-sched")))});
        all.add(new Object[] {"newWorkStealingPool", (Supplier<ExecutorService>) () ->
                track(Executors.newWorkStealingPool(2))});
        all.add(new Object[] {"ForkJoinPool", (Supplier<ExecutorService>) () -> track(new ForkJoinPool(2))});
        all.add(new Object[] {"commonPool", (Supplier<ExecutorService>) ForkJoinPool::commonPool});
        return all;
    }

    @TestFactory
    Stream<DynamicTest> everyExecutorRunsEveryEntryPointInTheSubmittersContext() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] executor : executors()) {
            for (Object[] entry : executorEntryPoints()) {
                String name = executor[0] + "." + entry[0];
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    @SuppressWarnings("unchecked")
                    ExecutorService raw = ((Supplier<ExecutorService>) executor[1]).get();
                    ExecutorService e = propagating(raw);
                    Queue<String> inside = new ConcurrentLinkedQueue<>();
                    Runnable task = () -> {
                        inside.add(String.valueOf(STORE.getStore()));
                        STORE.enterWith("leaked by the task"); // must end with the task
                    };
                    STORE.run(name, () -> {
                        try {
                            ((EntryPoint) entry[1]).submitAndWait(e, task);
                        } catch (Exception ex) {
                            throw new AssertionError(ex);
                        }
                        assertThat(STORE.getStore()).isEqualTo(name);
                    });
                    assertThat(inside).isNotEmpty().allMatch(name::equals);
                    // Work submitted outside any context finds nothing left on the workers.
                    List<Callable<String>> probes = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        probes.add(STORE::getStore);
                    }
                    for (Future<String> probe : e.invokeAll(probes)) {
                        assertThat(probe.get()).isNull();
                    }
                    if (raw instanceof WatchedPool) {
                        assertWorkersSawNothing(((WatchedPool) raw).outside);
                    }
                }));
            }
        }
        return tests.stream();
    }

    static List<Object[]> scheduleEntryPoints() {
        List<Object[]> all = new ArrayList<>();
        all.add(new Object[] {"schedule(Runnable)", (EntryPoint) (e, task) -> assertThat(
                get(((ScheduledExecutorService) e).schedule(task, 1, TimeUnit.MILLISECONDS))).isNull()});
        all.add(new Object[] {"schedule(Callable)", (EntryPoint) (e, task) -> assertThat(
                get(((ScheduledExecutorService) e).schedule(callable(task, 5), 1, TimeUnit.MILLISECONDS))).isEqualTo(5)});
        all.add(new Object[] {"scheduleAtFixedRate", (EntryPoint) (e, task) -> runFiveTimes(task,
                r -> ((ScheduledExecutorService) e).scheduleAtFixedRate(r, 0, 1, TimeUnit.MILLISECONDS))});
        all.add(new Object[] {"scheduleWithFixedDelay", (EntryPoint) (e, task) -> runFiveTimes(task,
                r -> ((ScheduledExecutorService) e).scheduleWithFixedDelay(r, 0, 1, TimeUnit.MILLISECONDS))});
        return all;
    }

    /** Schedules {@code task} periodically, waits for five runs, then cancels it. */
    static void runFiveTimes(Runnable task, Function<Runnable, ScheduledFuture<?>> schedule) throws InterruptedException {
        CountDownLatch fiveRuns = new CountDownLatch(5);
        ScheduledFuture<?> future = schedule.apply(() -> {
            if (fiveRuns.getCount() > 0) {
                task.run();
                fiveRuns.countDown();
            }
        });
        await(fiveRuns);
        assertThat(future.cancel(false)).isTrue();
    }

    @TestFactory
    Stream<DynamicTest> everyScheduleMethodRunsEveryRunInTheSchedulersContext() {
        return scheduleEntryPoints().stream().map(entry -> DynamicTest.dynamicTest((String) entry[0], () -> {
            WatchedScheduler raw = track(new WatchedScheduler(2));
            ScheduledExecutorService e = propagating((ScheduledExecutorService) raw);
            Queue<String> inside = new ConcurrentLinkedQueue<>();
            Runnable task = () -> {
                inside.add(String.valueOf(STORE.getStore()));
                STORE.enterWith("leaked into the next run?");
            };
            String name = "scheduled-" + entry[0];
            STORE.run(name, () -> {
                try {
                    ((EntryPoint) entry[1]).submitAndWait(e, task);
                } catch (Exception ex) {
                    throw new AssertionError(ex);
                }
            });
            assertThat(inside).isNotEmpty().allMatch(name::equals);
            raw.shutdown();
            assertThat(raw.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertWorkersSawNothing(raw.outside);
        }));
    }

    @Test
    void aPeriodicTaskKeepsItsContextWhateverTheSchedulerDoesLater() throws Exception {
        ScheduledExecutorService e = propagating((ScheduledExecutorService) track(new WatchedScheduler(1)));
        Queue<String> runs = new ConcurrentLinkedQueue<>();
        CountDownLatch tenRuns = new CountDownLatch(10);
        ScheduledFuture<?> periodic = STORE.run("at-schedule", () -> e.scheduleAtFixedRate(() -> {
            runs.add(String.valueOf(STORE.getStore()));
            tenRuns.countDown();
        }, 0, 1, TimeUnit.MILLISECONDS));
        // Other work in other contexts on the same single thread between the runs.
        for (int i = 0; i < 5; i++) {
            String other = "other-" + i;
            assertThat(get(STORE.run(other, () -> e.submit(STORE::getStore)))).isEqualTo(other);
        }
        await(tenRuns);
        periodic.cancel(false);
        assertThat(runs).hasSizeGreaterThanOrEqualTo(10).allMatch("at-schedule"::equals);
    }

    // ------------------------------------------------------------------ completion paths

    @Test
    void exceptionsPropagateUnchangedAndTheWorkerIsRestored() throws Exception {
        WatchedPool raw = track(new WatchedPool(1));
        ExecutorService e = propagating(raw);
        IOException checked = new IOException("boom");
        Future<Object> failed = STORE.run("failing", () -> e.submit(() -> {
            STORE.enterWith("set before throwing");
            throw checked;
        }));
        assertThatThrownBy(() -> get(failed)).isInstanceOf(ExecutionException.class).cause().isSameAs(checked);
        IllegalStateException unchecked = new IllegalStateException("thrown by execute's task");
        STORE.run("failing-execute", () -> e.execute(() -> {
            throw unchecked;
        }));
        assertThat(get(e.submit(STORE::getStore))).isNull();
        assertWorkersSawNothing(raw.outside);
    }

    @Test
    void aTaskCancelledBeforeItRunsNeverRuns() throws Exception {
        WatchedPool raw = track(new WatchedPool(1));
        ExecutorService e = propagating(raw);
        CountDownLatch release = new CountDownLatch(1);
        e.execute(() -> awaitQuietly(release));
        AtomicBoolean ran = new AtomicBoolean();
        Future<?> queued = STORE.run("cancelled", () -> e.submit(() -> ran.set(true)));
        assertThat(queued.cancel(false)).isTrue();
        release.countDown();
        assertThat(get(e.submit(STORE::getStore))).isNull();
        assertThat(ran).isFalse();
        assertThatThrownBy(queued::get).isInstanceOf(CancellationException.class);
        assertWorkersSawNothing(raw.outside);
    }

    @Test
    void aTaskInterruptedByCancelEndsInItsContextAndTheWorkerIsRestored() throws Exception {
        WatchedPool raw = track(new WatchedPool(1));
        ExecutorService e = propagating(raw);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> afterInterrupt = new AtomicReference<>();
        Future<?> running = STORE.run("interrupted", () -> e.submit(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException expected) {
                afterInterrupt.set(String.valueOf(STORE.getStore()));
            }
        }));
        await(started);
        assertThat(running.cancel(true)).isTrue();
        Kit.awaitTrue(() -> afterInterrupt.get() != null, "the interrupted task to finish");
        assertThat(afterInterrupt.get()).isEqualTo("interrupted");
        assertThat(get(e.submit(STORE::getStore))).isNull();
        assertWorkersSawNothing(raw.outside);
    }

    @Test
    void aTimedOutGetLeavesTheTaskRunningInItsContext() throws Exception {
        WatchedPool raw = track(new WatchedPool(1));
        ExecutorService e = propagating(raw);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> slow = STORE.run("slow", () -> e.submit(() -> {
            awaitQuietly(release);
            return STORE.getStore();
        }));
        assertThatThrownBy(() -> slow.get(10, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        release.countDown();
        assertThat(get(slow)).isEqualTo("slow");
        assertWorkersSawNothing(raw.outside);
    }

    // ------------------------------------------------------------------ futures: the registration rule

    @FunctionalInterface
    interface StageRegistration {
        /**
         * Registers a stage on {@code f} (and {@code other} for the two-future forms) whose
         * callback calls {@code seen}; returns the stage's future.
         */
        CompletionStage<?> register(CompletableFuture<String> f, CompletableFuture<String> other, Executor executor,
                Runnable seen);
    }

    /** Every method that registers a callback, by name; "!" marks those fired by a failure. */
    static List<Object[]> stageRegistrations() {
        List<Object[]> all = new ArrayList<>();
        all.add(new Object[] {"thenApply", (StageRegistration) (f, o, x, seen) -> f.thenApply(v -> {
            seen.run();
            return v;
        })});
        all.add(new Object[] {"thenApplyAsync", (StageRegistration) (f, o, x, seen) -> f.thenApplyAsync(v -> {
            seen.run();
            return v;
        })});
        all.add(new Object[] {"thenApplyAsync(executor)", (StageRegistration) (f, o, x, seen) -> f.thenApplyAsync(v -> {
            seen.run();
            return v;
        }, x)});
        all.add(new Object[] {"thenAccept", (StageRegistration) (f, o, x, seen) -> f.thenAccept(v -> seen.run())});
        all.add(new Object[] {"thenAcceptAsync", (StageRegistration) (f, o, x, seen) -> f.thenAcceptAsync(v -> seen.run())});
        all.add(new Object[] {"thenAcceptAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.thenAcceptAsync(v -> seen.run(), x)});
        all.add(new Object[] {"thenRun", (StageRegistration) (f, o, x, seen) -> f.thenRun(seen)});
        all.add(new Object[] {"thenRunAsync", (StageRegistration) (f, o, x, seen) -> f.thenRunAsync(seen)});
        all.add(new Object[] {"thenRunAsync(executor)", (StageRegistration) (f, o, x, seen) -> f.thenRunAsync(seen, x)});
        all.add(new Object[] {"thenCombine", (StageRegistration) (f, o, x, seen) -> f.thenCombine(o, (a, b) -> {
            seen.run();
            return a + b;
        })});
        all.add(new Object[] {"thenCombineAsync", (StageRegistration) (f, o, x, seen) -> f.thenCombineAsync(o, (a, b) -> {
            seen.run();
            return a + b;
        })});
        all.add(new Object[] {"thenCombineAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.thenCombineAsync(o, (a, b) -> {
                    seen.run();
                    return a + b;
                }, x)});
        all.add(new Object[] {"thenAcceptBoth", (StageRegistration) (f, o, x, seen) ->
                f.thenAcceptBoth(o, (a, b) -> seen.run())});
        all.add(new Object[] {"thenAcceptBothAsync", (StageRegistration) (f, o, x, seen) ->
                f.thenAcceptBothAsync(o, (a, b) -> seen.run())});
        all.add(new Object[] {"thenAcceptBothAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.thenAcceptBothAsync(o, (a, b) -> seen.run(), x)});
        all.add(new Object[] {"runAfterBoth", (StageRegistration) (f, o, x, seen) -> f.runAfterBoth(o, seen)});
        all.add(new Object[] {"runAfterBothAsync", (StageRegistration) (f, o, x, seen) -> f.runAfterBothAsync(o, seen)});
        all.add(new Object[] {"runAfterBothAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.runAfterBothAsync(o, seen, x)});
        all.add(new Object[] {"applyToEither", (StageRegistration) (f, o, x, seen) -> f.applyToEither(o, v -> {
            seen.run();
            return v;
        })});
        all.add(new Object[] {"applyToEitherAsync", (StageRegistration) (f, o, x, seen) -> f.applyToEitherAsync(o, v -> {
            seen.run();
            return v;
        })});
        all.add(new Object[] {"applyToEitherAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.applyToEitherAsync(o, v -> {
                    seen.run();
                    return v;
                }, x)});
        all.add(new Object[] {"acceptEither", (StageRegistration) (f, o, x, seen) -> f.acceptEither(o, v -> seen.run())});
        all.add(new Object[] {"acceptEitherAsync", (StageRegistration) (f, o, x, seen) ->
                f.acceptEitherAsync(o, v -> seen.run())});
        all.add(new Object[] {"acceptEitherAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.acceptEitherAsync(o, v -> seen.run(), x)});
        all.add(new Object[] {"runAfterEither", (StageRegistration) (f, o, x, seen) -> f.runAfterEither(o, seen)});
        all.add(new Object[] {"runAfterEitherAsync", (StageRegistration) (f, o, x, seen) -> f.runAfterEitherAsync(o, seen)});
        all.add(new Object[] {"runAfterEitherAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.runAfterEitherAsync(o, seen, x)});
        all.add(new Object[] {"thenCompose", (StageRegistration) (f, o, x, seen) -> f.thenCompose(v -> {
            seen.run();
            return CompletableFuture.completedFuture(v);
        })});
        all.add(new Object[] {"thenComposeAsync", (StageRegistration) (f, o, x, seen) -> f.thenComposeAsync(v -> {
            seen.run();
            return CompletableFuture.completedFuture(v);
        })});
        all.add(new Object[] {"thenComposeAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.thenComposeAsync(v -> {
                    seen.run();
                    return CompletableFuture.completedFuture(v);
                }, x)});
        all.add(new Object[] {"handle", (StageRegistration) (f, o, x, seen) -> f.handle((v, t) -> {
            seen.run();
            return v;
        })});
        all.add(new Object[] {"handleAsync", (StageRegistration) (f, o, x, seen) -> f.handleAsync((v, t) -> {
            seen.run();
            return v;
        })});
        all.add(new Object[] {"handleAsync(executor)", (StageRegistration) (f, o, x, seen) -> f.handleAsync((v, t) -> {
            seen.run();
            return v;
        }, x)});
        all.add(new Object[] {"whenComplete", (StageRegistration) (f, o, x, seen) -> f.whenComplete((v, t) -> seen.run())});
        all.add(new Object[] {"whenCompleteAsync", (StageRegistration) (f, o, x, seen) ->
                f.whenCompleteAsync((v, t) -> seen.run())});
        all.add(new Object[] {"whenCompleteAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.whenCompleteAsync((v, t) -> seen.run(), x)});
        all.add(new Object[] {"!exceptionally", (StageRegistration) (f, o, x, seen) -> f.exceptionally(t -> {
            seen.run();
            return "recovered";
        })});
        all.add(new Object[] {"!exceptionallyAsync", (StageRegistration) (f, o, x, seen) -> f.exceptionallyAsync(t -> {
            seen.run();
            return "recovered";
        })});
        all.add(new Object[] {"!exceptionallyAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.exceptionallyAsync(t -> {
                    seen.run();
                    return "recovered";
                }, x)});
        all.add(new Object[] {"!exceptionallyCompose", (StageRegistration) (f, o, x, seen) -> f.exceptionallyCompose(t -> {
            seen.run();
            return CompletableFuture.completedFuture("recovered");
        })});
        all.add(new Object[] {"!exceptionallyComposeAsync", (StageRegistration) (f, o, x, seen) ->
                f.exceptionallyComposeAsync(t -> {
                    seen.run();
                    return CompletableFuture.completedFuture("recovered");
                })});
        all.add(new Object[] {"!exceptionallyComposeAsync(executor)", (StageRegistration) (f, o, x, seen) ->
                f.exceptionallyComposeAsync(t -> {
                    seen.run();
                    return CompletableFuture.completedFuture("recovered");
                }, x)});
        return all;
    }

    @TestFactory
    Stream<DynamicTest> everyStageRunsInItsRegistrationContextNotTheCompleters() {
        ExecutorService plain = track(Executors.newFixedThreadPool(2, daemons("stage-executor")));
        return stageRegistrations().stream().map(entry -> DynamicTest.dynamicTest((String) entry[0], () -> {
            String name = (String) entry[0];
            boolean failure = name.startsWith("!");
            CompletableFuture<String> f = newFuture();
            CompletableFuture<String> other = newFuture();
            Queue<String> seen = new ConcurrentLinkedQueue<>();
            CompletionStage<?> stage = STORE.run("registered", () -> ((StageRegistration) entry[1])
                    .register(f, other, plain, () -> seen.add(String.valueOf(STORE.getStore()))));
            completeElsewhere(() -> {
                if (failure) {
                    f.completeExceptionally(new IOException("failed in the completer's context"));
                } else {
                    f.complete("a");
                }
                other.complete("b");
            });
            stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("registered");
        }));
    }

    /** Runs {@code completion} on a new thread, in a context of its own ("completer"), and waits. */
    static void completeElsewhere(Runnable completion) throws InterruptedException {
        Thread completer = new Thread(() -> STORE.run("completer", completion), "completer");
        completer.start();
        completer.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        assertThat(completer.isAlive()).isFalse();
    }

    @Test
    void aStageRegisteredOutsideAnyContextSeesNoneWhoeverCompletesTheFuture() throws Exception {
        CompletableFuture<String> f = newFuture();
        AtomicReference<String> seen = new AtomicReference<>("not run");
        CompletableFuture<Void> stage = f.thenAccept(v -> seen.set(STORE.getStore()));
        completeElsewhere(() -> f.complete("v"));
        get(stage);
        assertThat(seen.get()).isNull();
    }

    @Test
    void stagesRegisteredInDifferentContextsOnOneFutureEachSeeTheirOwn() throws Exception {
        CompletableFuture<String> f = newFuture();
        List<CompletableFuture<String>> stages = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String context = "reg-" + i;
            stages.add(STORE.run(context, () -> f.thenApply(v -> STORE.getStore())));
        }
        completeElsewhere(() -> f.complete("v"));
        for (int i = 0; i < 20; i++) {
            assertThat(get(stages.get(i))).isEqualTo("reg-" + i);
        }
    }

    @Test
    void aChainRegisteredAtOnceKeepsOneContextEvenIfAStageCallsEnterWith() throws Exception {
        CompletableFuture<String> f = newFuture();
        CompletableFuture<String> last = STORE.run("chain", () -> f.thenApply(v -> {
            STORE.enterWith("changed by the first stage");
            return v;
        }).thenApply(v -> STORE.getStore()));
        completeElsewhere(() -> f.complete("v"));
        assertThat(get(last)).isEqualTo("chain");
    }

    @Test
    void supplyAsyncRunsInTheCallersContext() throws Exception {
        ExecutorService plain = track(Executors.newFixedThreadPool(1, daemons("supply")));
        assertThat(get(STORE.run("supplier", () -> supplyAsync(STORE::getStore, plain)))).isEqualTo("supplier");
        assertThat(get(STORE.run("supplier-default", () -> supplyAsync(STORE::getStore, ForkJoinPool.commonPool()))))
                .isEqualTo("supplier-default");
    }

    @Test
    void stagesOfATimedOutFutureRunInTheirRegistrationContext() throws Exception {
        CompletableFuture<String> f = newFuture();
        CompletableFuture<String> recovered = STORE.run("timeout-reg", () -> f.exceptionally(t -> STORE.getStore()));
        STORE.run("orTimeout-caller", () -> f.orTimeout(5, TimeUnit.MILLISECONDS));
        assertThat(get(recovered)).isEqualTo("timeout-reg");

        CompletableFuture<String> g = newFuture();
        CompletableFuture<String> defaulted = STORE.run("default-reg", () -> g.thenApply(v -> v + "/" + STORE.getStore()));
        STORE.run("completeOnTimeout-caller", () -> g.completeOnTimeout("default", 5, TimeUnit.MILLISECONDS));
        assertThat(get(defaulted)).isEqualTo("default/default-reg");
    }

    @Test
    void copiesAndMinimalStagesFollowTheRule() throws Exception {
        CompletableFuture<String> f = newFuture();
        CompletableFuture<String> fromCopy = STORE.run("copy", () -> f.copy().thenApply(v -> STORE.getStore()));
        CompletableFuture<String> fromMinimal = STORE.run("minimal", () ->
                f.minimalCompletionStage().thenApply(v -> STORE.getStore()).toCompletableFuture());
        CompletableFuture<String> fromToCf = STORE.run("toCompletableFuture", () ->
                f.toCompletableFuture().thenApply(v -> STORE.getStore()));
        completeElsewhere(() -> f.complete("v"));
        assertThat(get(fromCopy)).isEqualTo("copy");
        assertThat(get(fromMinimal)).isEqualTo("minimal");
        assertThat(get(fromToCf)).isEqualTo("toCompletableFuture");
    }

    @Test
    void aCancelledFuturesStagesRunInTheirRegistrationContext() throws Exception {
        CompletableFuture<String> f = newFuture();
        CompletableFuture<String> handled = STORE.run("cancel-reg", () -> f.handle((v, t) ->
                (t instanceof CancellationException ? "cancelled:" : "other:") + STORE.getStore()));
        completeElsewhere(() -> f.cancel(true));
        assertThat(get(handled)).isEqualTo("cancelled:cancel-reg");
        assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
        CompletableFuture<String> failed = newFuture();
        CompletableFuture<String> seen = STORE.run("failure-reg", () -> failed.thenApply(v -> "ran")
                .exceptionally(t -> (t instanceof CompletionException ? "wrapped:" : "plain:") + STORE.getStore()));
        completeElsewhere(() -> failed.completeExceptionally(new IOException("x")));
        assertThat(get(seen)).isEqualTo("wrapped:failure-reg");
    }

    // ------------------------------------------------------------------ nested boundaries

    @Test
    void poolThenStageThenScheduledTaskKeepTheRequestsContext() throws Exception {
        ExecutorService pool = propagating(track(Executors.newFixedThreadPool(2, daemons("nest-pool"))));
        ScheduledExecutorService scheduler = propagating(track(Executors.newScheduledThreadPool(1, daemons("nest-sched"))));
        ExecutorService stageExecutor = track(Executors.newFixedThreadPool(1, daemons("nest-stage")));
        CompletableFuture<String> trigger = newFuture();
        Future<CompletableFuture<String>> chain = STORE.run("request", () -> pool.submit(() ->
                trigger.thenApplyAsync(v -> STORE.getStore(), stageExecutor)
                        .thenCompose(fromStage -> {
                            CompletableFuture<String> done = newFuture();
                            scheduler.schedule(() -> done.complete(fromStage + ">" + STORE.getStore()), 1,
                                    TimeUnit.MILLISECONDS);
                            return done;
                        })));
        CompletableFuture<String> result = get(chain);
        completeElsewhere(() -> trigger.complete("go"));
        assertThat(get(result)).isEqualTo("request>request");
    }

    // ------------------------------------------------------------------ hooks

    @Test
    void executorTasksAreResourcesTriggeredByTheSubmitter() throws Exception {
        ExecutorService pool = propagating(track(new WatchedPool(1)));
        ExecutorService forkJoin = propagating(track(new ForkJoinPool(1)));
        ScheduledExecutorService scheduler = propagating((ScheduledExecutorService) track(new WatchedScheduler(1)));
        Recorder recorder = recorder();
        AsyncResource submitter = new AsyncResource("Submitter");
        Object[][] cases = {
            {"Executor", (Callable<long[]>) () -> get(submitter.runInAsyncScope(() -> pool.submit(Kit::ids)))},
            {"ForkJoinTask", (Callable<long[]>) () -> get(submitter.runInAsyncScope(() -> forkJoin.submit(Kit::ids)))},
            {"ScheduledTask", (Callable<long[]>) () -> get(submitter.runInAsyncScope(() ->
                    scheduler.schedule(Kit::ids, 1, TimeUnit.MILLISECONDS)))},
        };
        for (Object[] c : cases) {
            String type = (String) c[0];
            @SuppressWarnings("unchecked")
            long[] inside = ((Callable<long[]>) c[1]).call();
            Event init = recorder.onlyInit(type, submitter.asyncId());
            assertThat(inside).as(type + ": executionAsyncId and triggerAsyncId inside")
                    .containsExactly(init.asyncId, submitter.asyncId());
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).as(type).containsExactly("init", "before", "after", "destroy");
            assertThat(recorder.first(init.asyncId, "before").thread).isNotSameAs(Thread.currentThread());
        }
    }

    @Test
    void stagesAreResourcesThatResolve() throws Exception {
        Recorder recorder = recorder();
        AsyncResource registrar = new AsyncResource("Registrar");
        CompletableFuture<String> f = newFuture();
        CompletableFuture<long[]> stage = registrar.runInAsyncScope(() -> f.thenApply(v -> Kit.ids()));
        Event init = recorder.onlyInit("CompletableFuture", registrar.asyncId());
        completeElsewhere(() -> f.complete("v"));
        assertThat(get(stage)).containsExactly(init.asyncId, registrar.asyncId());
        recorder.awaitDestroy(init.asyncId);
        assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "promiseResolve", "destroy");
        assertThat(recorder.first(init.asyncId, "before").thread.getName()).isEqualTo("completer");
    }

    @Test
    void aStageThatNeverRunsIsStillResolvedAndDestroyed() throws Exception {
        Recorder recorder = recorder();
        AsyncResource registrar = new AsyncResource("Registrar");
        CompletableFuture<String> f = newFuture();
        CompletableFuture<String> stage = registrar.runInAsyncScope(() -> f.thenApply(v -> v + "!"));
        Event init = recorder.onlyInit("CompletableFuture", registrar.asyncId());
        f.completeExceptionally(new IOException("x"));
        assertThatThrownBy(stage::join).isInstanceOf(CompletionException.class);
        recorder.awaitDestroy(init.asyncId);
        assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "promiseResolve", "destroy");
    }
}
