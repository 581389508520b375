package dev.asynclocal;

import static dev.asynclocal.PropagationTestKit.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.PropagationTestKit.Event;
import dev.asynclocal.PropagationTestKit.Recorder;
import dev.asynclocal.internal.Bound;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
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
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link AsyncExecutors}: every entry point runs its task in the submitter's context, every
 * completion path restores the worker's own context exactly, rejection and shutdown behave as the
 * wrapped executor does, and hooks see each task as one resource of the right type.
 *
 * <p>Worker threads in these tests start with a context of their own ({@code "worker-own"}, set
 * with {@code enterWith} before the pool's loop starts), so "restored" means "back to exactly
 * that", not merely "empty"; {@code beforeExecute}/{@code afterExecute} record what the worker
 * sees outside the tasks.
 */
class AsyncExecutorsTest {
    static final AsyncLocalStorage<String> STORE = new AsyncLocalStorage<>("store");
    static final String WORKER_OWN = "worker-own";

    private final List<ExecutorService> toShutDown = new CopyOnWriteArrayList<>();
    private final List<Recorder> recorders = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Recorder recorder : recorders) {
            recorder.disable();
        }
        for (ExecutorService executor : toShutDown) {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    private Recorder recorder() {
        Recorder recorder = new Recorder();
        recorders.add(recorder);
        return recorder.enable();
    }

    /** What a thread sees: its store and execution async id. */
    static String seen() {
        return STORE.getStore() + "@" + AsyncHooks.executionAsyncId();
    }

    /** Threads that set {@code own} with enterWith before running the pool's worker loop. */
    static ThreadFactory threadsWithOwnContext(String own) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(() -> {
                STORE.enterWith(own);
                r.run();
            }, "test-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A pool whose workers have their own context, recording what they see around each task. */
    static final class WatchedPool extends ThreadPoolExecutor {
        final Queue<String> outside = new ConcurrentLinkedQueue<>();

        WatchedPool(int threads, BlockingQueue<Runnable> queue, RejectedExecutionHandler handler) {
            super(threads, threads, 1, TimeUnit.MINUTES, queue, threadsWithOwnContext(WORKER_OWN), handler);
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

    /** The scheduled counterpart of {@link WatchedPool}. */
    static final class WatchedScheduler extends ScheduledThreadPoolExecutor {
        final Queue<String> outside = new ConcurrentLinkedQueue<>();

        WatchedScheduler(int threads) {
            super(threads, threadsWithOwnContext(WORKER_OWN));
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

    private WatchedPool pool(int threads) {
        WatchedPool pool = new WatchedPool(threads, new LinkedBlockingQueue<>(), new ThreadPoolExecutor.AbortPolicy());
        toShutDown.add(pool);
        return pool;
    }

    private WatchedScheduler scheduler(int threads) {
        WatchedScheduler scheduler = new WatchedScheduler(threads);
        toShutDown.add(scheduler);
        return scheduler;
    }

    private static void assertWorkersUntouched(Queue<String> outside) {
        assertThat(outside).isNotEmpty().allMatch((WORKER_OWN + "@1")::equals);
    }

    // ------------------------------------------------------------------ every entry point

    /** An entry point: submits {@code task} and waits until it has run (at least once). */
    @FunctionalInterface
    interface EntryPoint {
        void submitAndWait(ScheduledExecutorService executor, Runnable task) throws Exception;
    }

    static <T> Callable<T> callable(Runnable task, T result) {
        return () -> {
            task.run();
            return result;
        };
    }

    static Stream<Object[]> entryPoints() {
        List<Object[]> all = new ArrayList<>();
        all.add(new Object[] {"execute", (EntryPoint) (e, task) -> {
            CountDownLatch ran = new CountDownLatch(1);
            e.execute(() -> {
                task.run();
                ran.countDown();
            });
            assertThat(ran.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }});
        all.add(new Object[] {"submit(Runnable)", (EntryPoint) (e, task) ->
                assertThat(e.submit(task).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isNull()});
        all.add(new Object[] {"submit(Runnable, T)", (EntryPoint) (e, task) ->
                assertThat(e.submit(task, "result").get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("result")});
        all.add(new Object[] {"submit(Callable)", (EntryPoint) (e, task) ->
                assertThat(e.submit(callable(task, 7)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(7)});
        all.add(new Object[] {"invokeAll", (EntryPoint) (e, task) -> {
            List<Future<Integer>> done = e.invokeAll(List.of(callable(task, 1), callable(task, 2)));
            assertThat(done.get(0).get()).isEqualTo(1);
            assertThat(done.get(1).get()).isEqualTo(2);
        }});
        all.add(new Object[] {"invokeAll(timeout)", (EntryPoint) (e, task) -> {
            List<Future<Integer>> done = e.invokeAll(List.of(callable(task, 1)), TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(done.get(0).get()).isEqualTo(1);
        }});
        all.add(new Object[] {"invokeAny", (EntryPoint) (e, task) ->
                assertThat(e.invokeAny(List.of(callable(task, 3)))).isEqualTo(3)});
        all.add(new Object[] {"invokeAny(timeout)", (EntryPoint) (e, task) ->
                assertThat(e.invokeAny(List.of(callable(task, 4)), TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(4)});
        all.add(new Object[] {"schedule(Runnable)", (EntryPoint) (e, task) ->
                assertThat(e.schedule(task, 1, TimeUnit.MILLISECONDS).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isNull()});
        all.add(new Object[] {"schedule(Callable)", (EntryPoint) (e, task) ->
                assertThat(e.schedule(callable(task, 5), 1, TimeUnit.MILLISECONDS).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                        .isEqualTo(5)});
        all.add(new Object[] {"scheduleAtFixedRate", (EntryPoint) (e, task) -> runPeriodically(task,
                r -> e.scheduleAtFixedRate(r, 0, 1, TimeUnit.MILLISECONDS))});
        all.add(new Object[] {"scheduleWithFixedDelay", (EntryPoint) (e, task) -> runPeriodically(task,
                r -> e.scheduleWithFixedDelay(r, 0, 1, TimeUnit.MILLISECONDS))});
        return all.stream();
    }

    /** Schedules {@code task} periodically, lets it run five times, then cancels it. */
    static void runPeriodically(Runnable task, java.util.function.Function<Runnable, ScheduledFuture<?>> schedule)
            throws InterruptedException {
        CountDownLatch fiveRuns = new CountDownLatch(5);
        ScheduledFuture<?> future = schedule.apply(() -> {
            if (fiveRuns.getCount() > 0) {
                task.run();
                fiveRuns.countDown();
            }
        });
        assertThat(fiveRuns.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(future.cancel(false)).isTrue();
        assertThat(future.isCancelled()).isTrue();
    }

    @TestFactory
    Stream<DynamicTest> everyEntryPointRunsTheTaskInTheSubmittersContext() {
        return entryPoints().map(args -> DynamicTest.dynamicTest((String) args[0], () -> {
            EntryPoint entryPoint = (EntryPoint) args[1];
            WatchedScheduler scheduler = scheduler(2);
            ScheduledExecutorService wrapped = AsyncExecutors.wrap(scheduler);
            Queue<String> inside = new ConcurrentLinkedQueue<>();
            Runnable task = () -> {
                inside.add(seen());
                STORE.enterWith("leaked by the task"); // must end with the task
            };
            STORE.run("submitted-in-" + args[0], () -> {
                try {
                    entryPoint.submitAndWait(wrapped, task);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                assertThat(STORE.getStore()).isEqualTo("submitted-in-" + args[0]);
            });
            assertThat(inside).isNotEmpty().allMatch(("submitted-in-" + args[0] + "@1")::equals);
            scheduler.shutdown();
            assertThat(scheduler.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertWorkersUntouched(scheduler.outside);
            assertThat(STORE.getStore()).isNull();
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyExecutorServiceEntryPointPropagatesOnAThreadPool() {
        // The same entry points through wrap(ExecutorService) over a plain ThreadPoolExecutor.
        return entryPoints().filter(args -> !((String) args[0]).startsWith("schedule"))
                .map(args -> DynamicTest.dynamicTest((String) args[0], () -> {
                    EntryPoint entryPoint = (EntryPoint) args[1];
                    WatchedPool pool = pool(2);
                    ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) pool);
                    assertThat(wrapped).isNotInstanceOf(ScheduledExecutorService.class);
                    ScheduledExecutorService adapter = new ForwardingScheduler(wrapped);
                    Queue<String> inside = new ConcurrentLinkedQueue<>();
                    STORE.run("pool-" + args[0], () -> {
                        try {
                            entryPoint.submitAndWait(adapter, () -> {
                                inside.add(seen());
                                STORE.enterWith("leaked by the task");
                            });
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
                    assertThat(inside).isNotEmpty().allMatch(("pool-" + args[0] + "@1")::equals);
                    pool.shutdown();
                    assertThat(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                    assertWorkersUntouched(pool.outside);
                }));
    }

    @Test
    void plainExecutorWrapperPropagates() throws Exception {
        ExecutorService raw = pool(1);
        Executor plain = raw::execute; // not an ExecutorService
        Executor wrapped = AsyncExecutors.wrap(plain);
        assertThat(wrapped).isNotInstanceOf(ExecutorService.class);
        AtomicReference<String> inside = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        STORE.run("plain", () -> wrapped.execute(() -> {
            inside.set(STORE.getStore());
            ran.countDown();
        }));
        assertThat(ran.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(inside.get()).isEqualTo("plain");
    }

    @Test
    void directExecutorRestoresTheCallersContext() {
        Executor wrapped = AsyncExecutors.wrap((Executor) Runnable::run);
        AtomicReference<String> inside = new AtomicReference<>();
        STORE.run("caller", () -> {
            Runnable submitted = () -> {
                inside.set(STORE.getStore());
                STORE.enterWith("changed inside");
            };
            STORE.run("at-submit", () -> wrapped.execute(submitted));
            assertThat(STORE.getStore()).isEqualTo("caller");
        });
        assertThat(inside.get()).isEqualTo("at-submit");
    }

    // ------------------------------------------------------------------ worker threads keep nothing

    @Test
    void taskSubmittedOutsideAnyContextSeesNoStoreEvenOnAWorkerThatHasOne() throws Exception {
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        assertThat(wrapped.submit(STORE::getStore).get()).isNull();
        // A raw task sees what the worker has of its own: the wrapper did not change it.
        assertThat(pool.submit(STORE::getStore).get()).isEqualTo(WORKER_OWN);
    }

    @Test
    void enterWithInsideATaskEndsWithTheTask() throws Exception {
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        STORE.run("first", () -> wrapped.execute(() -> STORE.enterWith("set by the first task")));
        assertThat(wrapped.submit(STORE::getStore).get()).isNull();
        assertThat(pool.submit(STORE::getStore).get()).isEqualTo(WORKER_OWN);
        assertWorkersUntouched(pool.outside);
    }

    @Test
    void workerIdsAreRestoredAfterATracedTask() throws Exception {
        // A worker that itself runs inside a resource's scope: after a traced task its execution
        // id must be that resource's again, not 1.
        AsyncResource workerScope = new AsyncResource("WorkerScope");
        ThreadPoolExecutor raw = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                r -> new Thread(() -> workerScope.runInAsyncScope(r), "scoped-worker"));
        toShutDown.add(raw);
        ExecutorService wrapped = AsyncExecutors.wrap(raw);
        Recorder recorder = recorder();
        long insideId = wrapped.submit(AsyncHooks::executionAsyncId).get();
        assertThat(insideId).isEqualTo(recorder.onlyInit("Executor").asyncId);
        assertThat(raw.submit(AsyncHooks::executionAsyncId).get()).isEqualTo(workerScope.asyncId());
        assertThat(raw.submit(AsyncHooks::triggerAsyncId).get()).isEqualTo(workerScope.triggerAsyncId());
        assertThat(raw.submit(AsyncHooks::executionAsyncResource).get()).isSameAs(workerScope);
    }

    @Test
    void withoutHooksTasksTouchNoIds() throws Exception {
        AsyncResource workerScope = new AsyncResource("WorkerScope");
        ThreadPoolExecutor raw = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                r -> new Thread(() -> workerScope.runInAsyncScope(r), "scoped-worker"));
        toShutDown.add(raw);
        ExecutorService wrapped = AsyncExecutors.wrap(raw);
        assertThat(wrapped.submit(AsyncHooks::executionAsyncId).get()).isEqualTo(workerScope.asyncId());
        assertThat(wrapped.submit(AsyncHooks::executionAsyncResource).get()).isSameAs(workerScope);
    }

    // ------------------------------------------------------------------ completion paths

    @Test
    void exceptionsPropagateUnchanged() throws Exception {
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        IOException checked = new IOException("boom");
        Future<Object> failed = STORE.run("ctx", () -> wrapped.submit(() -> {
            throw checked;
        }));
        assertThatThrownBy(failed::get).isInstanceOf(ExecutionException.class).cause().isSameAs(checked);

        // execute: the pool's afterExecute receives the task's own exception.
        RuntimeException unchecked = new IllegalStateException("thrown by the task");
        AtomicReference<Throwable> reported = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        ThreadFactory quiet = r -> {
            Thread t = threadsWithOwnContext(WORKER_OWN).newThread(r);
            t.setUncaughtExceptionHandler((thread, e) -> { }); // the worker dies of it, as expected
            return t;
        };
        ThreadPoolExecutor reporting = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                quiet) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                reported.set(t);
                assertThat(STORE.getStore()).isEqualTo(WORKER_OWN);
                done.countDown();
            }
        };
        toShutDown.add(reporting);
        STORE.run("ctx", () -> AsyncExecutors.wrap(reporting).execute(() -> {
            throw unchecked;
        }));
        assertThat(done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(reported.get()).isSameAs(unchecked);
        assertWorkersUntouched(pool.outside);
    }

    @Test
    void cancelBeforeRunningMeansTheTaskNeverRuns() throws Exception {
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        CountDownLatch release = new CountDownLatch(1);
        wrapped.execute(() -> awaitQuietly(release));
        AtomicBoolean ran = new AtomicBoolean();
        Future<?> queued = STORE.run("ctx", () -> wrapped.submit(() -> ran.set(true)));
        assertThat(queued.cancel(false)).isTrue();
        release.countDown();
        assertThat(wrapped.submit(() -> "after").get()).isEqualTo("after");
        assertThat(ran).isFalse();
        assertThat(queued.isCancelled()).isTrue();
        assertThat(queued.isDone()).isTrue();
        assertThatThrownBy(queued::get).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancelWithInterruptRestoresTheWorker() throws Exception {
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> seenWhenInterrupted = new AtomicReference<>();
        Future<?> running = STORE.run("interrupted", () -> wrapped.submit(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                seenWhenInterrupted.set(STORE.getStore());
                STORE.enterWith("set while interrupted");
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(running.cancel(true)).isTrue();
        assertThatThrownBy(running::get).isInstanceOf(CancellationException.class);
        // The next task runs on the same worker in its own context.
        assertThat(STORE.run("next", () -> wrapped.submit(STORE::getStore)).get()).isEqualTo("next");
        assertThat(seenWhenInterrupted.get()).isEqualTo("interrupted");
        assertWorkersUntouched(pool.outside);
    }

    @Test
    void timeouts() throws Exception {
        WatchedPool pool = pool(2);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        CountDownLatch release = new CountDownLatch(1);
        Queue<String> started = new ConcurrentLinkedQueue<>();
        Queue<String> interruptedIn = new ConcurrentLinkedQueue<>();
        Callable<String> blocked = () -> {
            started.add(STORE.getStore());
            try {
                release.await();
                return "released";
            } catch (InterruptedException e) {
                interruptedIn.add(STORE.getStore());
                throw e;
            }
        };
        Future<String> future = STORE.run("get-timeout", () -> wrapped.submit(blocked));
        PropagationTestKit.awaitTrue(() -> started.contains("get-timeout"), "the task to start");
        assertThatThrownBy(() -> future.get(5, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(future.isDone()).isFalse();
        assertThat(future.cancel(true)).isTrue();

        STORE.run("invokeAny-timeout", () -> assertThatThrownBy(
                () -> wrapped.invokeAny(List.of(blocked, blocked), 100, TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class));

        List<Future<String>> all = STORE.run("invokeAll-timeout",
                () -> wrapped.invokeAll(List.of(blocked, blocked), 100, TimeUnit.MILLISECONDS));
        assertThat(all).allMatch(Future::isCancelled);

        // Every task that had started (on a loaded machine some may not have, and were simply
        // cancelled) was interrupted, and saw its own submitter's context when it was.
        PropagationTestKit.awaitTrue(() -> interruptedIn.size() == started.size(), "interrupted tasks");
        assertThat(interruptedIn).containsExactlyInAnyOrderElementsOf(started).contains("get-timeout")
                .allMatch(s -> s.equals("get-timeout") || s.equals("invokeAny-timeout")
                        || s.equals("invokeAll-timeout"));
        release.countDown();
        assertThat(STORE.run("after", () -> wrapped.submit(STORE::getStore)).get()).isEqualTo("after");
        pool.shutdown();
        assertThat(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertWorkersUntouched(pool.outside);
    }

    @Test
    void invokeAnyReturnsTheFirstSuccessAndSkipsFailures() throws Exception {
        ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) pool(2));
        Callable<String> failing = () -> {
            throw new IOException("no");
        };
        Callable<String> succeeding = STORE::getStore;
        assertThat(STORE.run("any", () -> wrapped.invokeAny(List.of(failing, succeeding)))).isEqualTo("any");
        IOException only = new IOException("only failure");
        assertThatThrownBy(() -> wrapped.invokeAny(List.<Callable<String>>of(() -> {
            throw only;
        }))).isInstanceOf(ExecutionException.class).cause().isSameAs(only);
        assertThatThrownBy(() -> wrapped.invokeAny(List.<Callable<String>>of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> wrapped.invokeAny(null)).isInstanceOf(NullPointerException.class);
    }

    // ------------------------------------------------------------------ rejection

    /** A pool with one thread, blocked, and a queue of one, already full. */
    private final class SaturatedPool {
        final CountDownLatch release = new CountDownLatch(1);
        final WatchedPool pool;
        final ExecutorService wrapped;
        final AtomicReference<String> queuedSaw = new AtomicReference<>("never ran");

        SaturatedPool(RejectedExecutionHandler handler) throws InterruptedException {
            pool = new WatchedPool(1, new ArrayBlockingQueue<>(1), handler);
            toShutDown.add(pool);
            wrapped = AsyncExecutors.wrap(pool);
            CountDownLatch blocking = new CountDownLatch(1);
            wrapped.execute(() -> {
                blocking.countDown();
                awaitQuietly(release);
            });
            assertThat(blocking.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            STORE.run("queued", () -> wrapped.execute(() -> queuedSaw.set(STORE.getStore())));
        }

        void drain() throws InterruptedException {
            release.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void abortPolicyRejectionPropagatesAndReleasesTheResource() throws Exception {
        SaturatedPool saturated = new SaturatedPool(new ThreadPoolExecutor.AbortPolicy());
        Recorder recorder = recorder();
        AtomicBoolean ran = new AtomicBoolean();
        STORE.run("rejected", () -> {
            assertThatThrownBy(() -> saturated.wrapped.execute(() -> ran.set(true)))
                    .isExactlyInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> saturated.wrapped.submit(() -> ran.set(true)))
                    .isExactlyInstanceOf(RejectedExecutionException.class);
            assertThat(STORE.getStore()).isEqualTo("rejected");
        });
        List<Event> inits = recorder.inits("Executor");
        assertThat(inits).hasSize(2);
        for (Event init : inits) {
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "destroy");
        }
        saturated.drain();
        assertThat(ran).isFalse();
        assertThat(saturated.queuedSaw.get()).isEqualTo("queued");
    }

    @Test
    void theRejectionHandlersOwnExceptionIsThrownAsIs() throws Exception {
        RejectedExecutionException own = new RejectedExecutionException("full, try later");
        SaturatedPool saturated = new SaturatedPool((r, executor) -> {
            throw own;
        });
        assertThatThrownBy(() -> saturated.wrapped.execute(() -> { })).isSameAs(own);
        assertThatThrownBy(() -> saturated.wrapped.submit(() -> 1)).isSameAs(own);
        saturated.drain();
    }

    @Test
    void rejectionMessageIsTheOneThePlainExecutorGives() throws Exception {
        SaturatedPool saturated = new SaturatedPool(new ThreadPoolExecutor.AbortPolicy());
        Runnable task = new Runnable() {
            @Override
            public void run() {
            }

            @Override
            public String toString() {
                return "the user's task";
            }
        };
        assertThatThrownBy(() -> saturated.wrapped.execute(task))
                .hasMessageStartingWith("Task the user's task rejected from ");
        saturated.drain();
    }

    @Test
    void callerRunsPolicyRunsOnTheCallerInTheSubmitContextAndRestoresIt() throws Exception {
        SaturatedPool saturated = new SaturatedPool(new ThreadPoolExecutor.CallerRunsPolicy());
        Recorder recorder = recorder();
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<String> inside = new AtomicReference<>();
        STORE.run("caller-runs", () -> {
            saturated.wrapped.execute(() -> {
                ranOn.set(Thread.currentThread());
                inside.set(seen());
                STORE.enterWith("changed by the task");
            });
            assertThat(STORE.getStore()).isEqualTo("caller-runs");
            assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        });
        Future<String> viaSubmit = STORE.run("caller-runs-submit", () -> saturated.wrapped.submit(STORE::getStore));
        assertThat(viaSubmit.get()).isEqualTo("caller-runs-submit");
        assertThat(ranOn.get()).isSameAs(caller);
        Event init = recorder.inits("Executor").get(0);
        assertThat(inside.get()).isEqualTo("caller-runs@" + init.asyncId);
        recorder.awaitDestroy(init.asyncId);
        assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "destroy");
        saturated.drain();
        assertWorkersUntouched(saturated.pool.outside);
    }

    @Test
    void discardPolicyDropsSilentlyAndTheResourceIsDestroyedOnceCollected() throws Exception {
        SaturatedPool saturated = new SaturatedPool(new ThreadPoolExecutor.DiscardPolicy());
        Recorder recorder = new Recorder(false);
        recorders.add(recorder.enable());
        AtomicBoolean ran = new AtomicBoolean();
        STORE.run("discarded", () -> saturated.wrapped.execute(() -> ran.set(true)));
        assertThat(STORE.getStore()).isNull();
        long id = recorder.onlyInit("Executor").asyncId;
        saturated.drain();
        assertThat(ran).isFalse();
        assertThat(saturated.queuedSaw.get()).isEqualTo("queued");
        recorder.awaitDestroyAfterGc(id);
        assertThat(recorder.kinds(id)).containsExactly("init", "destroy");
    }

    @Test
    void discardOldestPolicyRunsTheNewTaskInItsOwnContext() throws Exception {
        SaturatedPool saturated = new SaturatedPool(new ThreadPoolExecutor.DiscardOldestPolicy());
        AtomicReference<String> newest = new AtomicReference<>();
        STORE.run("newest", () -> saturated.wrapped.execute(() -> newest.set(STORE.getStore())));
        saturated.drain();
        assertThat(saturated.queuedSaw.get()).isEqualTo("never ran");
        assertThat(newest.get()).isEqualTo("newest");
        assertWorkersUntouched(saturated.pool.outside);
    }

    @Test
    void shutDownExecutorRejects() throws Exception {
        ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) pool(1));
        wrapped.shutdown();
        assertThat(wrapped.isShutdown()).isTrue();
        assertThatThrownBy(() -> wrapped.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> wrapped.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(wrapped.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(wrapped.isTerminated()).isTrue();
    }

    @Test
    void shutdownNowReturnsTheCallersOwnTasks() throws Exception {
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        Recorder recorder = recorder();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        wrapped.execute(() -> {
            started.countDown();
            awaitQuietly(release);
        });
        assertThat(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        Runnable first = () -> { };
        Runnable third = () -> { };
        wrapped.execute(first);
        Future<?> second = wrapped.submit(() -> 2);
        wrapped.execute(third);
        List<Runnable> pending = wrapped.shutdownNow();
        release.countDown();
        assertThat(pending).containsExactly(first, (Runnable) second, third);
        assertThat(pending).noneMatch(r -> r instanceof Bound.Task);
        assertThat(wrapped.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        // The three never-started tasks are finished for good.
        List<Event> inits = recorder.inits("Executor");
        assertThat(inits).hasSize(4);
        for (Event init : inits.subList(1, 4)) {
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "destroy");
        }
    }

    @Test
    void shutdownNowOfAScheduledExecutorReturnsItsOwnTaskObjects() throws Exception {
        WatchedScheduler scheduler = scheduler(1);
        ScheduledExecutorService wrapped = AsyncExecutors.wrap(scheduler);
        wrapped.schedule(() -> { }, 1, TimeUnit.HOURS);
        wrapped.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.HOURS);
        List<Runnable> pending = wrapped.shutdownNow();
        assertThat(pending).hasSize(2).noneMatch(r -> r instanceof Bound.Task);
    }

    // ------------------------------------------------------------------ periodic tasks

    @Test
    void everyPeriodicRunSeesTheScheduleTimeContext() throws Exception {
        for (boolean fixedRate : new boolean[] {true, false}) {
            WatchedScheduler scheduler = scheduler(2);
            ScheduledExecutorService wrapped = AsyncExecutors.wrap(scheduler);
            Queue<String> runs = new ConcurrentLinkedQueue<>();
            CountDownLatch tenRuns = new CountDownLatch(10);
            Runnable task = () -> {
                runs.add(STORE.getStore());
                STORE.enterWith("run " + runs.size()); // each run starts afresh anyway
                tenRuns.countDown();
            };
            ScheduledFuture<?> future = STORE.run("periodic", () -> fixedRate
                    ? wrapped.scheduleAtFixedRate(task, 0, 1, TimeUnit.MILLISECONDS)
                    : wrapped.scheduleWithFixedDelay(task, 0, 1, TimeUnit.MILLISECONDS));
            // Other work on the same workers in other contexts, between the periodic runs.
            for (int i = 0; i < 20; i++) {
                String other = "other-" + i;
                assertThat(STORE.run(other, () -> wrapped.submit(STORE::getStore)).get()).isEqualTo(other);
            }
            assertThat(tenRuns.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(future.cancel(false)).isTrue();
            assertThat(runs).hasSizeGreaterThanOrEqualTo(10).allMatch("periodic"::equals);
            scheduler.shutdown();
            assertThat(scheduler.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertWorkersUntouched(scheduler.outside);
        }
    }

    @Test
    void aPeriodicTaskThatThrowsStopsAndIsDestroyed() throws Exception {
        ScheduledExecutorService wrapped = AsyncExecutors.wrap((ScheduledExecutorService) scheduler(1));
        Recorder recorder = recorder();
        AtomicInteger runs = new AtomicInteger();
        IllegalStateException failure = new IllegalStateException("third run fails");
        ScheduledFuture<?> future = STORE.run("failing", () -> wrapped.scheduleWithFixedDelay(() -> {
            if (runs.incrementAndGet() == 3) {
                throw failure;
            }
        }, 0, 1, TimeUnit.MILLISECONDS));
        assertThatThrownBy(() -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isSameAs(failure);
        Event init = recorder.onlyInit("ScheduledTask");
        recorder.awaitDestroy(init.asyncId);
        assertThat(recorder.kinds(init.asyncId)).containsExactly(
                "init", "before", "after", "before", "after", "before", "after", "destroy");
        assertThat(runs.get()).isEqualTo(3);
    }

    @Test
    void scheduledFutureBehavesAsTheExecutorsOwn() throws Exception {
        ScheduledExecutorService wrapped = AsyncExecutors.wrap((ScheduledExecutorService) scheduler(1));
        ScheduledFuture<String> later = wrapped.schedule(() -> "later", 1, TimeUnit.HOURS);
        ScheduledFuture<String> sooner = wrapped.schedule(() -> "sooner", 1, TimeUnit.MINUTES);
        assertThat(later.getDelay(TimeUnit.MINUTES)).isBetween(58L, 60L);
        assertThat(later.compareTo(sooner)).isPositive();
        assertThat(sooner.compareTo(later)).isNegative();
        assertThat(later.isDone()).isFalse();
        assertThatThrownBy(() -> later.get(1, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(later.cancel(true)).isTrue();
        assertThat(later.cancel(true)).isFalse();
        assertThat(later.isCancelled()).isTrue();
        assertThatThrownBy(later::get).isInstanceOf(CancellationException.class);
        assertThat(wrapped.schedule(() -> "now", 0, TimeUnit.MILLISECONDS).get()).isEqualTo("now");
        assertThatThrownBy(() -> wrapped.scheduleAtFixedRate(() -> { }, 0, 0, TimeUnit.SECONDS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ hook events per type

    @Test
    void executorTaskIsAnAsyncResourceTriggeredBySubmitter() throws Exception {
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        Recorder recorder = recorder();
        AsyncResource submitter = new AsyncResource("Submitter");
        AtomicReference<Object> resourceInside = new AtomicReference<>();
        AtomicReference<long[]> idsInside = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        submitter.runInAsyncScope(() -> wrapped.execute(() -> {
            idsInside.set(new long[] {AsyncHooks.executionAsyncId(), AsyncHooks.triggerAsyncId()});
            resourceInside.set(AsyncHooks.executionAsyncResource());
            ran.countDown();
        }));
        assertThat(ran.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        Event init = recorder.onlyInit("Executor");
        assertThat(init.triggerAsyncId).isEqualTo(submitter.asyncId());
        assertThat(init.executionAsyncId).isEqualTo(submitter.asyncId());
        assertThat(init.asyncId).isGreaterThan(submitter.asyncId());
        assertThat(idsInside.get()).containsExactly(init.asyncId, submitter.asyncId());
        assertThat(resourceInside.get()).isSameAs(init.resource);
        recorder.awaitDestroy(init.asyncId);
        assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "destroy");
        Event before = recorder.of(init.asyncId, "before").get(0);
        assertThat(before.thread.getName()).startsWith("test-worker-");
        assertThat(before.executionAsyncId).isEqualTo(init.asyncId);
        assertWorkersUntouched(pool.outside);
    }

    @Test
    void everySubmitFormIsOneExecutorResource() throws Exception {
        ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) pool(2));
        Recorder recorder = recorder();
        wrapped.submit(() -> { }).get();
        wrapped.submit(() -> { }, 1).get();
        wrapped.submit(() -> 1).get();
        wrapped.invokeAll(List.of(() -> 1, () -> 2));
        wrapped.invokeAny(List.of(() -> 1));
        List<Event> inits = recorder.inits("Executor");
        assertThat(inits).hasSize(6).allMatch(e -> e.triggerAsyncId == 1);
        for (Event init : inits) {
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "destroy");
        }
    }

    @Test
    void cancelledBeforeRunningIsInitThenDestroy() throws Exception {
        ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) pool(1));
        CountDownLatch release = new CountDownLatch(1);
        wrapped.execute(() -> awaitQuietly(release));
        Recorder recorder = recorder();
        Future<?> queued = wrapped.submit(() -> { });
        assertThat(queued.cancel(false)).isTrue();
        long id = recorder.onlyInit("Executor").asyncId;
        recorder.awaitDestroy(id);
        release.countDown();
        assertThat(wrapped.submit(() -> 1).get()).isEqualTo(1);
        assertThat(recorder.kinds(id)).containsExactly("init", "destroy");
    }

    @Test
    void cancelWhileRunningDestroysOnlyAfterTheRunEnds() throws Exception {
        ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) pool(1));
        Recorder recorder = recorder();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Future<?> running = wrapped.submit(() -> {
            started.countDown();
            // Ignores the interrupt on purpose: the run outlives the cancel.
            while (true) {
                try {
                    finish.await();
                    return;
                } catch (InterruptedException e) {
                    // keep waiting
                }
            }
        });
        assertThat(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        long id = recorder.onlyInit("Executor").asyncId;
        assertThat(running.cancel(true)).isTrue();
        recorder.flushDestroyQueue();
        assertThat(recorder.kinds(id)).containsExactly("init", "before");
        finish.countDown();
        recorder.awaitDestroy(id);
        assertThat(recorder.kinds(id)).containsExactly("init", "before", "after", "destroy");
    }

    @Test
    void forkJoinPoolTasksAreForkJoinTasks() throws Exception {
        ForkJoinPool forkJoin = new ForkJoinPool(2);
        toShutDown.add(forkJoin);
        ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) forkJoin);
        Recorder recorder = recorder();
        assertThat(STORE.run("fj", () -> wrapped.submit(STORE::getStore)).get()).isEqualTo("fj");
        Event init = recorder.onlyInit("ForkJoinTask");
        recorder.awaitDestroy(init.asyncId);
        assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "destroy");
    }

    @Test
    void scheduledTasksAreScheduledTasksAndPeriodicOnesAreOneResource() throws Exception {
        ScheduledExecutorService wrapped = AsyncExecutors.wrap((ScheduledExecutorService) scheduler(1));
        Recorder recorder = recorder();
        AsyncResource scheduler = new AsyncResource("Scheduler");
        ScheduledFuture<String> once = scheduler.runInAsyncScope(() -> wrapped.schedule(() -> "once", 1, TimeUnit.MILLISECONDS));
        assertThat(once.get()).isEqualTo("once");
        Event onceInit = recorder.onlyInit("ScheduledTask");
        assertThat(onceInit.triggerAsyncId).isEqualTo(scheduler.asyncId());
        recorder.awaitDestroy(onceInit.asyncId);
        assertThat(recorder.kinds(onceInit.asyncId)).containsExactly("init", "before", "after", "destroy");

        CountDownLatch threeRuns = new CountDownLatch(3);
        List<Long> idsInside = Collections.synchronizedList(new ArrayList<>());
        ScheduledFuture<?> periodic = scheduler.runInAsyncScope(() -> wrapped.scheduleAtFixedRate(() -> {
            idsInside.add(AsyncHooks.executionAsyncId());
            threeRuns.countDown();
        }, 0, 1, TimeUnit.MILLISECONDS));
        assertThat(threeRuns.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(periodic.cancel(false)).isTrue();
        List<Event> inits = recorder.inits("ScheduledTask");
        assertThat(inits).hasSize(2);
        long periodicId = inits.get(1).asyncId;
        assertThat(inits.get(1).triggerAsyncId).isEqualTo(scheduler.asyncId());
        recorder.awaitDestroy(periodicId);
        List<String> kinds = recorder.kinds(periodicId);
        assertThat(kinds.get(0)).isEqualTo("init");
        assertThat(kinds.get(kinds.size() - 1)).isEqualTo("destroy");
        assertThat(kinds.subList(1, kinds.size() - 1)).hasSizeGreaterThanOrEqualTo(6)
                .containsOnly("before", "after");
        assertThat(String.join(",", kinds.subList(1, kinds.size() - 1))).matches("(before,after,?)+");
        assertThat(idsInside).containsOnly(periodicId);
    }

    @Test
    void cancellingAScheduledTaskDestroysItAtOnce() throws Exception {
        ScheduledExecutorService wrapped = AsyncExecutors.wrap((ScheduledExecutorService) scheduler(1));
        Recorder recorder = recorder();
        ScheduledFuture<?> far = wrapped.scheduleWithFixedDelay(() -> { }, 1, 1, TimeUnit.HOURS);
        long id = recorder.onlyInit("ScheduledTask").asyncId;
        assertThat(far.cancel(false)).isTrue();
        recorder.awaitDestroy(id);
        assertThat(recorder.kinds(id)).containsExactly("init", "destroy");
    }

    @Test
    void invokeAnyLeftoversAreCancelledAndDestroyed() throws Exception {
        ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) pool(2));
        Recorder recorder = recorder();
        CountDownLatch never = new CountDownLatch(1);
        String result = wrapped.invokeAny(List.of(() -> {
            never.await();
            return "slow";
        }, () -> "fast"));
        assertThat(result).isEqualTo("fast");
        List<Event> inits = recorder.inits("Executor");
        assertThat(inits).hasSize(2);
        for (Event init : inits) {
            recorder.awaitDestroy(init.asyncId);
        }
    }

    @Test
    void aHookEnabledAfterSubmissionSeesNothingOfThatTask() throws Exception {
        ExecutorService wrapped = AsyncExecutors.wrap((ExecutorService) pool(1));
        CountDownLatch release = new CountDownLatch(1);
        wrapped.execute(() -> awaitQuietly(release));
        Future<Long> untraced = wrapped.submit(AsyncHooks::executionAsyncId);
        Recorder recorder = recorder();
        release.countDown();
        assertThat(untraced.get()).isEqualTo(1L);
        assertThat(recorder.inits("Executor")).isEmpty();
        assertThat(recorder.all()).noneMatch(e -> e.kind.equals("before"));
    }

    @Test
    void aHookThatThrowsNeitherLosesTheTaskNorCorruptsTheContext() throws Exception {
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        List<String> reported = new CopyOnWriteArrayList<>();
        AsyncHooks.setErrorHandler((callback, type, id, error) -> reported.add(callback + "/" + type));
        AsyncHook throwing = AsyncHooks.createHook(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                throw new IllegalStateException("init");
            }

            @Override
            public void before(long asyncId) {
                STORE.enterWith("set by a hook");
                throw new IllegalStateException("before");
            }

            @Override
            public void after(long asyncId) {
                throw new IllegalStateException("after");
            }
        }).enable();
        try {
            assertThat(STORE.run("ctx", () -> wrapped.submit(STORE::getStore)).get()).isEqualTo("ctx");
        } finally {
            throwing.disable();
            AsyncHooks.resetErrorHandler();
        }
        assertThat(reported).contains("init/Executor", "before/Executor", "after/Executor");
        pool.shutdown();
        assertThat(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertWorkersUntouched(pool.outside);
    }

    // ------------------------------------------------------------------ wrap itself

    @Test
    void wrapIsIdempotentAndKeepsTheMostCapableInterface() {
        ScheduledThreadPoolExecutor scheduled = scheduler(1);
        ThreadPoolExecutor plainPool = pool(1);
        ScheduledExecutorService wrappedScheduled = AsyncExecutors.wrap((ScheduledExecutorService) scheduled);
        assertThat(AsyncExecutors.wrap(wrappedScheduled)).isSameAs(wrappedScheduled);
        assertThat(AsyncExecutors.wrap((ExecutorService) wrappedScheduled)).isSameAs(wrappedScheduled);
        assertThat(AsyncExecutors.wrap((Executor) wrappedScheduled)).isSameAs(wrappedScheduled);
        assertThat(AsyncExecutors.wrap((Executor) scheduled)).isInstanceOf(ScheduledExecutorService.class);
        assertThat(AsyncExecutors.wrap((ExecutorService) scheduled)).isInstanceOf(ScheduledExecutorService.class);

        ExecutorService wrappedPool = AsyncExecutors.wrap((ExecutorService) plainPool);
        assertThat(AsyncExecutors.wrap(wrappedPool)).isSameAs(wrappedPool);
        assertThat(AsyncExecutors.wrap((Executor) wrappedPool)).isSameAs(wrappedPool);
        assertThat(AsyncExecutors.wrap((Executor) plainPool)).isInstanceOf(ExecutorService.class);

        Executor direct = Runnable::run;
        Executor wrappedDirect = AsyncExecutors.wrap(direct);
        assertThat(AsyncExecutors.wrap(wrappedDirect)).isSameAs(wrappedDirect);
        assertThat(wrappedDirect.toString()).contains("AsyncExecutors.wrap(");
    }

    @Test
    void nullArguments() {
        assertThatThrownBy(() -> AsyncExecutors.wrap((Executor) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("executor");
        assertThatThrownBy(() -> AsyncExecutors.wrap((ExecutorService) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("executor");
        assertThatThrownBy(() -> AsyncExecutors.wrap((ScheduledExecutorService) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("executor");
        ScheduledExecutorService wrapped = AsyncExecutors.wrap((ScheduledExecutorService) scheduler(1));
        assertThatThrownBy(() -> wrapped.execute(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> wrapped.submit((Runnable) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> wrapped.submit((Callable<?>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> wrapped.invokeAll(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> wrapped.schedule((Runnable) null, 1, TimeUnit.SECONDS))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> wrapped.schedule((Callable<?>) null, 1, TimeUnit.SECONDS))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> wrapped.schedule(() -> { }, 1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> wrapped.scheduleAtFixedRate(null, 1, 1, TimeUnit.SECONDS))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> wrapped.scheduleWithFixedDelay(null, 1, 1, TimeUnit.SECONDS))
                .isInstanceOf(NullPointerException.class);
        Executor plain = AsyncExecutors.wrap((Executor) Runnable::run);
        assertThatThrownBy(() -> plain.execute(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void closeClosesTheDelegate() {
        ThreadPoolExecutor raw = pool(1);
        PropagatingExecutorService wrapped = (PropagatingExecutorService) AsyncExecutors.wrap((ExecutorService) raw);
        wrapped.execute(() -> { });
        wrapped.close();
        assertThat(raw.isTerminated()).isTrue();
    }

    @Test
    void workersOfAnUnwrappedPoolAreNotAffected() throws Exception {
        // The wrapper only acts on tasks given to it: the same pool used directly is plain Java.
        WatchedPool pool = pool(1);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        assertThat(STORE.run("direct", () -> pool.submit(STORE::getStore)).get()).isEqualTo(WORKER_OWN);
        assertThat(STORE.run("wrapped", () -> wrapped.submit(STORE::getStore)).get()).isEqualTo("wrapped");
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Presents an {@link ExecutorService} as a {@link ScheduledExecutorService} so that the
     * non-scheduling entry points can share {@link EntryPoint}s; scheduling is unsupported.
     */
    static final class ForwardingScheduler extends java.util.concurrent.AbstractExecutorService
            implements ScheduledExecutorService {
        private final ExecutorService delegate;

        ForwardingScheduler(ExecutorService delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable command) {
            delegate.execute(command);
        }

        @Override
        public Future<?> submit(Runnable task) {
            return delegate.submit(task);
        }

        @Override
        public <T> Future<T> submit(Runnable task, T result) {
            return delegate.submit(task, result);
        }

        @Override
        public <T> Future<T> submit(Callable<T> task) {
            return delegate.submit(task);
        }

        @Override
        public <T> List<Future<T>> invokeAll(java.util.Collection<? extends Callable<T>> tasks)
                throws InterruptedException {
            return delegate.invokeAll(tasks);
        }

        @Override
        public <T> List<Future<T>> invokeAll(java.util.Collection<? extends Callable<T>> tasks, long timeout,
                TimeUnit unit) throws InterruptedException {
            return delegate.invokeAll(tasks, timeout, unit);
        }

        @Override
        public <T> T invokeAny(java.util.Collection<? extends Callable<T>> tasks)
                throws InterruptedException, ExecutionException {
            return delegate.invokeAny(tasks);
        }

        @Override
        public <T> T invokeAny(java.util.Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException, ExecutionException, TimeoutException {
            return delegate.invokeAny(tasks, timeout, unit);
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
                TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                TimeUnit unit) {
            throw new UnsupportedOperationException();
        }
    }
}
