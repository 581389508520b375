package dev.asynclocal.internal;

import java.time.Duration;
import org.awaitility.Awaitility;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The capture protocol itself ({@link AsyncOperation}, {@link Bound}): what a capture takes, what a
 * run installs and restores, and when {@code destroy} is emitted, including the races between a
 * run and {@link AsyncOperation#finish()}. Uses a {@link HookSink} directly.
 */
class AsyncOperationTest {
    private final FrameKey key = new FrameKey();
    private final Sink sink = new Sink();

    @AfterEach
    void disable() {
        Hooks.disable(sink);
        ThreadState.enter(Frame.EMPTY);
    }

    /**
     * Records the events of the resources created while it is enabled, as strings without ids
     * (each test makes one resource). Events of older resources (destroys of other tests'
     * collected tasks) are ignored.
     */
    static final class Sink implements HookSink {
        final List<String> events = new ArrayList<>();
        final java.util.Set<Long> mine = new java.util.HashSet<>();
        volatile CountDownLatch destroyed = new CountDownLatch(1);
        private final java.util.Map<Long, CountDownLatch> markers = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public synchronized void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            mine.add(asyncId);
            events.add("init " + type + " " + triggerAsyncId);
        }

        private synchronized void add(long asyncId, String kind) {
            if (mine.contains(asyncId)) {
                events.add(kind);
                if (kind.equals("destroy")) {
                    destroyed.countDown();
                }
            }
        }

        @Override
        public void before(long asyncId) {
            add(asyncId, "before");
        }

        @Override
        public void after(long asyncId) {
            add(asyncId, "after");
        }

        @Override
        public void destroy(long asyncId) {
            CountDownLatch marker = markers.remove(asyncId);
            if (marker != null) {
                marker.countDown();
            } else {
                add(asyncId, "destroy");
            }
        }

        @Override
        public void promiseResolve(long asyncId) {
            add(asyncId, "promiseResolve");
        }

        @Override
        public boolean wantsDestroy() {
            return true;
        }

        synchronized List<String> events() {
            return new ArrayList<>(events);
        }

        void awaitDestroy() throws InterruptedException {
            assertThat(destroyed.await(20, TimeUnit.SECONDS)).as("destroy delivered").isTrue();
        }

        /**
         * Returns once every destroy queued so far has been delivered (the queue delivers in
         * order, so a marker queued now comes after them): "nothing more arrived" without a sleep.
         */
        void flushDestroyQueue() throws InterruptedException {
            long marker = Hooks.newAsyncId();
            CountDownLatch delivered = new CountDownLatch(1);
            markers.put(marker, delivered);
            Hooks.queueDestroy(marker, "DestroyQueueMarker");
            assertThat(delivered.await(20, TimeUnit.SECONDS)).as("destroy queue flushed").isTrue();
        }
    }

    private Object store() {
        return ThreadState.frame().get(key);
    }

    @Test
    void withoutHooksACaptureIsAFrameSwapWithoutIds() {
        Object[] state = ThreadState.state();
        ThreadState.enter(Frame.EMPTY.with(key, "captured"));
        AtomicReference<Object> inside = new AtomicReference<>();
        Runnable bound = Bound.runnable(() -> {
            inside.set(store());
            ThreadState.enter(ThreadState.frame().with(key, "changed inside"));
        }, AsyncOperation.EXECUTOR, AsyncOperation.FINISH_AFTER_RUN);
        assertThat(((AsyncOperation) bound).isResource()).isFalse();
        assertThat(((AsyncOperation) bound).asyncId()).isZero();
        Frame outer = Frame.EMPTY.with(key, "outer");
        ThreadState.enter(outer);
        ThreadState.enterResource(state, 42, 0, ThreadState.TOP_LEVEL_RESOURCE);
        try {
            bound.run();
            assertThat(inside.get()).isEqualTo("captured");
            assertThat(ThreadState.frame()).isSameAs(outer);
            assertThat(ThreadState.executionAsyncId(state)).isEqualTo(42);
        } finally {
            ThreadState.enterResource(state, ThreadState.TOP_LEVEL_ID, 0, ThreadState.TOP_LEVEL_RESOURCE);
        }
    }

    @Test
    void enterReturnsThePreviousFrameWhenThereAreNoIds() {
        Frame outer = Frame.EMPTY.with(key, "outer");
        ThreadState.enter(Frame.EMPTY.with(key, "captured"));
        AsyncOperation capture = AsyncOperation.capture(AsyncOperation.THREAD, AsyncOperation.FINISH_EXTERNALLY);
        ThreadState.enter(outer);
        Object saved = capture.enter();
        assertThat(saved).isSameAs(outer);
        assertThat(store()).isEqualTo("captured");
        capture.exit(saved);
        assertThat(ThreadState.frame()).isSameAs(outer);
    }

    @Test
    void exceptionsPropagateUnchangedAndTheFrameIsRestored() {
        IllegalStateException failure = new IllegalStateException("task failed");
        Runnable bound = Bound.runnable(() -> {
            throw failure;
        }, AsyncOperation.EXECUTOR, AsyncOperation.FINISH_AFTER_RUN);
        Frame outer = Frame.EMPTY.with(key, "outer");
        ThreadState.enter(outer);
        assertThatThrownBy(bound::run).isSameAs(failure);
        assertThat(ThreadState.frame()).isSameAs(outer);
    }

    @Test
    void withAHookTheCaptureIsAResourceAndRestoresIds() throws Exception {
        Hooks.enable(sink);
        Object[] state = ThreadState.state();
        AtomicReference<long[]> ids = new AtomicReference<>();
        AtomicReference<Object> resource = new AtomicReference<>();
        Runnable bound = Bound.runnable(() -> {
            ids.set(new long[] {ThreadState.executionAsyncId(state), ThreadState.triggerAsyncId(state)});
            resource.set(ThreadState.executionAsyncResource(state));
        }, AsyncOperation.TIMER_TASK, AsyncOperation.FINISH_AFTER_RUN);
        long id = ((AsyncOperation) bound).asyncId();
        assertThat(id).isPositive();
        bound.run();
        assertThat(ids.get()).containsExactly(id, ThreadState.TOP_LEVEL_ID);
        assertThat(resource.get()).isSameAs(bound);
        assertThat(ThreadState.executionAsyncId(state)).isEqualTo(ThreadState.TOP_LEVEL_ID);
        assertThat(ThreadState.executionAsyncResource(state)).isSameAs(ThreadState.TOP_LEVEL_RESOURCE);
        sink.awaitDestroy();
        assertThat(sink.events()).containsExactly("init TimerTask 1", "before", "after", "destroy");
    }

    @Test
    void finishDuringARunDefersDestroyUntilTheRunExits() throws Exception {
        Hooks.enable(sink);
        AsyncOperation capture = AsyncOperation.capture(AsyncOperation.EXECUTOR, AsyncOperation.FINISH_EXTERNALLY);
        Object saved = capture.enter();
        capture.finish();
        capture.finish(); // idempotent
        sink.flushDestroyQueue();
        assertThat(sink.events()).containsExactly("init Executor 1", "before");
        capture.exit(saved);
        sink.awaitDestroy();
        assertThat(sink.events()).containsExactly("init Executor 1", "before", "after", "destroy");
    }

    @Test
    void aRunAfterFinishInstallsTheContextButEmitsNothing() throws Exception {
        Hooks.enable(sink);
        Object[] state = ThreadState.state();
        ThreadState.enter(Frame.EMPTY.with(key, "captured"));
        AtomicReference<Object> inside = new AtomicReference<>();
        AtomicReference<Long> idInside = new AtomicReference<>();
        Bound.Task bound = Bound.runnable(() -> {
            inside.set(store());
            idInside.set(ThreadState.executionAsyncId(state));
        }, AsyncOperation.EXECUTOR, AsyncOperation.FINISH_AFTER_RUN);
        ThreadState.enter(Frame.EMPTY);
        bound.finish();
        sink.awaitDestroy();
        bound.run();
        assertThat(inside.get()).isEqualTo("captured");
        assertThat(idInside.get()).isEqualTo(bound.asyncId());
        assertThat(sink.events()).containsExactly("init Executor 1", "destroy");
    }

    @Test
    void concurrentRunsDestroyOnlyAfterTheLastExits() throws Exception {
        Hooks.enable(sink);
        AsyncOperation capture = AsyncOperation.capture(AsyncOperation.SCHEDULED_TASK, AsyncOperation.FINISH_EXTERNALLY);
        Object outerRun = capture.enter();
        CountDownLatch otherEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            Object saved = capture.enter();
            otherEntered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            capture.exit(saved);
        });
        other.start();
        assertThat(otherEntered.await(20, TimeUnit.SECONDS)).isTrue();
        capture.finish();
        capture.exit(outerRun);
        sink.flushDestroyQueue();
        assertThat(sink.events()).doesNotContain("destroy");
        release.countDown();
        other.join(20_000);
        sink.awaitDestroy();
        assertThat(sink.events()).containsExactly(
                "init ScheduledTask 1", "before", "before", "after", "after", "destroy");
    }

    @Test
    void periodicEndingFinishesOnlyWhenARunThrows() throws Exception {
        Hooks.enable(sink);
        int[] runs = {0};
        Runnable bound = Bound.runnable(() -> {
            if (++runs[0] == 3) {
                throw new IllegalStateException("third");
            }
        }, AsyncOperation.SCHEDULED_TASK, AsyncOperation.FINISH_ON_FAILURE);
        bound.run();
        bound.run();
        assertThatThrownBy(bound::run).hasMessage("third");
        sink.awaitDestroy();
        assertThat(sink.events()).containsExactly("init ScheduledTask 1",
                "before", "after", "before", "after", "before", "after", "destroy");
    }

    @Test
    void resolvedEmitsPromiseResolveThenDestroyOnce() throws Exception {
        Hooks.enable(sink);
        StageCallback<String, ?, String> fn = StageCallback.bind((java.util.function.Function<String, String>) v -> v,
                AsyncOperation.COMPLETABLE_FUTURE);
        assertThat(fn.apply("x")).isEqualTo("x");
        fn.resolved();
        fn.resolved();
        sink.awaitDestroy();
        sink.flushDestroyQueue(); // a second destroy, if any, would have arrived by now
        assertThat(sink.events()).containsExactly("init CompletableFuture 1", "before", "after",
                "promiseResolve", "destroy");
    }

    @Test
    void anUnfinishedResourceIsDestroyedWhenCollected() throws Exception {
        Hooks.enable(sink);
        Bound.runnable(() -> { }, AsyncOperation.EXECUTOR, AsyncOperation.FINISH_EXTERNALLY);
        Awaitility.await("destroy after GC").pollInSameThread().pollInterval(Duration.ofMillis(20))
                .atMost(Duration.ofSeconds(10))
                .until(() -> {
                    System.gc();
                    return sink.destroyed.getCount() == 0;
                });
        sink.awaitDestroy();
        assertThat(sink.events()).containsExactly("init Executor 1", "destroy");
    }

    @Test
    void unwrapReturnsTheCallersTask() throws Exception {
        Runnable task = () -> { };
        java.util.concurrent.Callable<String> call = () -> "x";
        assertThat(Bound.unwrap(Bound.runnable(task, AsyncOperation.EXECUTOR, AsyncOperation.FINISH_AFTER_RUN))).isSameAs(task);
        assertThat(Bound.unwrap(Bound.callable(call, AsyncOperation.EXECUTOR, AsyncOperation.FINISH_AFTER_RUN))).isSameAs(call);
        assertThat(Bound.unwrap(task)).isSameAs(task);
        assertThat(Bound.runnable(new Runnable() {
            @Override
            public void run() {
            }

            @Override
            public String toString() {
                return "mine";
            }
        }, AsyncOperation.EXECUTOR, AsyncOperation.FINISH_AFTER_RUN)).hasToString("mine");
    }

    /**
     * Without hooks, capturing allocates the wrapper and nothing else, and running allocates
     * nothing. Measured with the thread's allocation counter (HotSpot's
     * {@code com.sun.management.ThreadMXBean}, reached reflectively because the tests compile
     * inside the {@code dev.asynclocal} module, which does not read {@code jdk.management}) over
     * many operations, keeping the wrappers reachable so that escape analysis cannot remove them.
     */
    @Test
    void withoutHooksCaptureAllocatesOneObjectAndRunningAllocatesNothing() throws Exception {
        Object threads = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getThreadMXBean").invoke(null);
        Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean");
        assertThat(threads).isInstanceOf(hotspot);
        java.lang.reflect.Method allocated = hotspot.getMethod("getThreadAllocatedBytes", long.class);
        assertThat((Boolean) hotspot.getMethod("isThreadAllocatedMemoryEnabled").invoke(threads)).isTrue();
        long tid = Thread.currentThread().getId();
        ThreadState.enter(Frame.EMPTY.with(key, "captured"));
        Runnable task = () -> { };
        int n = 100_000;
        Runnable[] kept = new Runnable[n];
        for (int round = 0; round < 3; round++) { // warm up, then measure the last round
            long before = (Long) allocated.invoke(threads, tid);
            for (int i = 0; i < n; i++) {
                kept[i] = Bound.runnable(task, AsyncOperation.EXECUTOR, AsyncOperation.FINISH_AFTER_RUN);
            }
            long captured = (Long) allocated.invoke(threads, tid);
            for (int i = 0; i < n; i++) {
                kept[i].run();
            }
            long ran = (Long) allocated.invoke(threads, tid);
            if (round == 2) {
                // One Bound.Task (header, frame, resource, task) is 24 bytes with compressed
                // pointers and 32 without; a second object per capture would add at least 16 more.
                assertThat((captured - before) / (double) n).as("bytes per capture").isLessThanOrEqualTo(32);
                assertThat((ran - captured) / (double) n).as("bytes per run").isLessThan(1);
            }
        }
    }
}
