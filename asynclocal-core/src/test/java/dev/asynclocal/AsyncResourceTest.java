package dev.asynclocal;

import static dev.asynclocal.TestSupport.gcUntil;
import static dev.asynclocal.TestSupport.onNewThread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One or more tests for every row of API.md's {@code AsyncResource} table. */
class AsyncResourceTest {
    @RegisterExtension
    final HookGuard hooks = new HookGuard();

    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>();

    // ---- constructors and ids ----

    @Test
    void typeIsKept() {
        assertThat(new AsyncResource("DbQuery").type()).isEqualTo("DbQuery");
        assertThat(new AsyncResource("DbQuery", 5).type()).isEqualTo("DbQuery");
        assertThat(new AsyncResource("DbQuery", 5, true).type()).isEqualTo("DbQuery");
    }

    @Test
    void emptyTypeIsRejectedWithOrWithoutHooks() {
        // Node rejects '' only while an init hook is enabled; API.md rejects it always.
        assertThatThrownBy(() -> new AsyncResource("")).isInstanceOf(IllegalArgumentException.class);
        hooks.record();
        assertThatThrownBy(() -> new AsyncResource("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AsyncResource("", 1, true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void triggerBelowMinusOneIsRejected() {
        assertThatThrownBy(() -> new AsyncResource("T", -2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-2");
        assertThatThrownBy(() -> new AsyncResource("T", Long.MIN_VALUE, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new AsyncResource("T", -1).triggerAsyncId()).isEqualTo(-1);
        assertThat(new AsyncResource("T", 0).triggerAsyncId()).isZero();
    }

    @Test
    void idsAreUniqueAndIncreasingOnOneThread() {
        long previous = 0;
        for (int i = 0; i < 1000; i++) {
            long id = new AsyncResource("T", 1, true).asyncId();
            assertThat(id).isGreaterThan(previous);
            previous = id;
        }
    }

    @Test
    void idsAreUniqueAcrossThreadsAndAboveTheTopLevelId() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    long[] ids = new long[perThread];
                    for (int i = 0; i < perThread; i++) {
                        ids[i] = new AsyncResource("T", 1, true).asyncId();
                        if (i > 0 && ids[i] <= ids[i - 1]) {
                            throw new AssertionError("ids not increasing on one thread");
                        }
                    }
                    return ids;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (Future<long[]> f : futures) {
                for (long id : f.get(30, TimeUnit.SECONDS)) {
                    assertThat(all.add(id)).as("duplicate id %s", id).isTrue();
                    assertThat(id).isGreaterThan(1);
                }
            }
            assertThat(all).hasSize(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void defaultTriggerIsTheExecutionIdAtConstruction() throws Exception {
        assertThat(new AsyncResource("Top").triggerAsyncId()).isEqualTo(AsyncHooks.executionAsyncId()).isEqualTo(1);
        AsyncResource parent = new AsyncResource("Parent");
        AsyncResource child = parent.runInAsyncScope(() -> new AsyncResource("Child"));
        assertThat(child.triggerAsyncId()).isEqualTo(parent.asyncId());
        // on a fresh thread, outside any resource, the trigger is the top level again
        assertThat(onNewThread(() -> new AsyncResource("Fresh").triggerAsyncId())).isEqualTo(1L);
    }

    @Test
    void explicitTriggerIsKeptAndReportedToInit() {
        HookRecorder recorder = hooks.record();
        AsyncResource resource = new AsyncResource("Explicit", 111);
        assertThat(resource.triggerAsyncId()).isEqualTo(111);
        HookRecorder.Event init = recorder.eventsOf("init", resource.asyncId()).get(0);
        assertThat(init.triggerAsyncId).isEqualTo(111);
        assertThat(init.type).isEqualTo("Explicit");
        assertThat(init.resource.get()).isSameAs(resource);
    }

    @Test
    void initIsEmittedSynchronouslyInTheConstructorOnTheCallingThread() {
        HookRecorder recorder = hooks.record();
        AsyncResource resource = new AsyncResource("Sync");
        List<HookRecorder.Event> inits = recorder.eventsOf("init", resource.asyncId());
        assertThat(inits).hasSize(1);
        assertThat(inits.get(0).thread).isSameAs(Thread.currentThread());
    }

    @Test
    void toStringShowsTypeAndIds() {
        AsyncResource resource = new AsyncResource("Shown", 7, true);
        assertThat(resource.toString()).contains("Shown", Long.toString(resource.asyncId()), "7");
    }

    // ---- runInAsyncScope ----

    @Test
    void runInAsyncScopeUsesTheContextCapturedAtConstruction() {
        AsyncResource resource = als.run("construction", () -> new AsyncResource("Ctx"));
        AtomicReference<String> seen = new AtomicReference<>();
        als.run("caller", () -> {
            resource.runInAsyncScope(() -> seen.set(als.getStore()));
            assertThat(als.getStore()).isEqualTo("caller");
        });
        assertThat(seen.get()).isEqualTo("construction");
    }

    @Test
    void runInAsyncScopeSetsAndRestoresIdsAndResource() {
        AsyncResource outer = new AsyncResource("Outer", 42);
        long topId = AsyncHooks.executionAsyncId();
        long topTrigger = AsyncHooks.triggerAsyncId();
        Object topResource = AsyncHooks.executionAsyncResource();
        List<Object> inside = new ArrayList<>();
        outer.runInAsyncScope(() -> {
            inside.add(AsyncHooks.executionAsyncId());
            inside.add(AsyncHooks.triggerAsyncId());
            inside.add(AsyncHooks.executionAsyncResource());
        });
        assertThat(inside).containsExactly(outer.asyncId(), 42L, outer);
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(topId).isEqualTo(1);
        assertThat(AsyncHooks.triggerAsyncId()).isEqualTo(topTrigger).isZero();
        assertThat(AsyncHooks.executionAsyncResource()).isSameAs(topResource);
    }

    @Test
    void runInAsyncScopeRestoresIdsResourceAndContextOnThrow() {
        AsyncResource resource = als.run("captured", () -> new AsyncResource("Throws"));
        Object topResource = AsyncHooks.executionAsyncResource();
        IOException failure = new IOException("io");
        als.run("caller", () -> {
            assertThatThrownBy(() -> resource.runInAsyncScope(() -> {
                als.enterWith("inside");
                throw failure;
            })).isSameAs(failure);
            assertThat(als.getStore()).isEqualTo("caller");
        });
        RuntimeException boom = new RuntimeException("boom");
        assertThatThrownBy(() -> resource.runInAsyncScope((Runnable) () -> {
            throw boom;
        })).isSameAs(boom);
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        assertThat(AsyncHooks.triggerAsyncId()).isZero();
        assertThat(AsyncHooks.executionAsyncResource()).isSameAs(topResource);
    }

    @Test
    void runInAsyncScopeCallableOpReturnsResult() {
        AsyncResource resource = new AsyncResource("Returns");
        long id = resource.runInAsyncScope(() -> AsyncHooks.executionAsyncId());
        assertThat(id).isEqualTo(resource.asyncId());
    }

    @Test
    void runInAsyncScopeRunsOnTheCallingThreadAndMayRunManyTimes() throws Exception {
        AsyncResource resource = als.run("c", () -> new AsyncResource("Repeat"));
        for (int i = 0; i < 3; i++) {
            assertThat(resource.runInAsyncScope(() -> als.getStore())).isEqualTo("c");
        }
        assertThat(onNewThread(() -> resource.runInAsyncScope(() -> als.getStore() + AsyncHooks.executionAsyncId())))
                .isEqualTo("c" + resource.asyncId());
    }

    @Test
    void topLevelIdsOnAFreshThread() throws Exception {
        List<Object> ids = onNewThread(() -> List.of(AsyncHooks.executionAsyncId(), AsyncHooks.triggerAsyncId()));
        assertThat(ids).containsExactly(1L, 0L);
        Object resource = onNewThread(AsyncHooks::executionAsyncResource);
        assertThat(resource).isNotNull();
    }

    // ---- bind ----

    @Test
    void bindRunnableRunsThroughRunInAsyncScope() {
        AsyncResource resource = als.run("bound", () -> new AsyncResource("Bind"));
        List<Object> seen = new ArrayList<>();
        Runnable bound = resource.bind(() -> {
            seen.add(als.getStore());
            seen.add(AsyncHooks.executionAsyncId());
        });
        als.run("caller", bound);
        bound.run();
        assertThat(seen).containsExactly("bound", resource.asyncId(), "bound", resource.asyncId());
    }

    @Test
    void bindCallableReturnsAndThrows() throws Exception {
        AsyncResource resource = als.run("bound", () -> new AsyncResource("Bind"));
        Callable<String> bound = resource.bind(() -> als.getStore());
        assertThat(bound.call()).isEqualTo("bound");
        Exception failure = new Exception("checked");
        Callable<String> failing = resource.bind(() -> {
            throw failure;
        });
        assertThatThrownBy(failing::call).isSameAs(failure);
    }

    @Test
    void staticBindCreatesANewResourceOfThatTypeNow() throws Exception {
        HookRecorder recorder = hooks.record();
        AtomicReference<Long> idInside = new AtomicReference<>();
        Runnable bound = als.run("now", () -> AsyncResource.bind(() -> {
            idInside.set(AsyncHooks.executionAsyncId());
        }, "StaticBind"));
        HookRecorder.Event init = recorder.events().stream()
                .filter(e -> e.kind.equals("init") && "StaticBind".equals(e.type))
                .findFirst().orElseThrow(() -> new AssertionError("no init"));
        bound.run();
        assertThat(idInside.get()).isEqualTo(init.asyncId);

        Callable<String> boundCallable = als.run("then", () -> AsyncResource.bind(() -> als.getStore(), "StaticBindC"));
        assertThat(boundCallable.call()).isEqualTo("then");
        assertThat(recorder.events()).anyMatch(e -> e.kind.equals("init") && "StaticBindC".equals(e.type));
    }

    @Test
    void staticBindRejectsEmptyType() {
        assertThatThrownBy(() -> AsyncResource.bind(() -> { }, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AsyncResource.bind(() -> "x", "")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- emitDestroy and destroy delivery ----

    @Test
    void emitDestroyReturnsThisAndASecondCallThrows() {
        // API.md differs from Node on purpose: Node's docs say a second call throws, but Node
        // itself emits destroy twice; here the second call is an IllegalStateException.
        AsyncResource resource = new AsyncResource("Once");
        assertThat(resource.emitDestroy()).isSameAs(resource);
        assertThatThrownBy(resource::emitDestroy).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void destroyIsDeliveredOnAnotherThreadAfterEmitDestroyReturnsExactlyOnce() throws Exception {
        CountDownLatch emitReturned = new CountDownLatch(1);
        AtomicBoolean sawReturn = new AtomicBoolean();
        AtomicReference<Thread> destroyThread = new AtomicReference<>();
        HookRecorder recorder = new HookRecorder() {
            @Override
            public void destroy(long asyncId) {
                if (destroyThread.get() == null && asyncId == watched) {
                    destroyThread.set(Thread.currentThread());
                    try {
                        // Delivered inside emitDestroy() this would wait the full time and fail.
                        sawReturn.set(emitReturned.await(5, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.destroy(asyncId);
            }
        };
        hooks.enable(recorder);
        AsyncResource resource = new AsyncResource("Destroyed");
        recorder.watched = resource.asyncId();
        resource.emitDestroy();
        emitReturned.countDown();
        assertThat(recorder.awaitDestroy(resource.asyncId())).isTrue();
        assertThat(destroyThread.get()).isNotSameAs(Thread.currentThread());
        assertThat(destroyThread.get().getName()).isEqualTo("asynclocal-destroy");
        assertThat(sawReturn).isTrue();

        // exactly once: even after the resource is collected (its GC destroy is cancelled)
        WeakReference<AsyncResource> ref = new WeakReference<>(resource);
        resource = null;
        assertThat(gcUntil(() -> ref.get() == null, 100)).isTrue();
        recorder.flushDestroyQueue();
        assertThat(recorder.count("destroy", recorder.watched)).isEqualTo(1);
    }

    @Test
    void destroyRunsInTheEmptyContextWithTopLevelIds() throws Exception {
        AtomicReference<String> store = new AtomicReference<>("unset");
        AtomicReference<Long> executionId = new AtomicReference<>();
        HookRecorder recorder = new HookRecorder() {
            @Override
            public void destroy(long asyncId) {
                if (asyncId == watched) {
                    store.set(als.getStore());
                    executionId.set(AsyncHooks.executionAsyncId());
                }
                super.destroy(asyncId);
            }
        };
        hooks.enable(recorder);
        AsyncResource resource = als.run("creator", () -> new AsyncResource("Ctx"));
        recorder.watched = resource.asyncId();
        als.run("emitter", () -> resource.emitDestroy());
        assertThat(recorder.awaitDestroy(resource.asyncId())).isTrue();
        assertThat(store.get()).isNull();
        assertThat(executionId.get()).isEqualTo(1L);
    }

    @Test
    void noGcDestroyForResourcesCreatedWhileNoDestroyHookWasEnabled() throws Exception {
        hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            }
        });
        long untracked = TestSupport.createAndDrop("Untracked", false);
        HookRecorder recorder = hooks.record();
        long probeId = TestSupport.createAndDrop("Probe", false);
        assertThat(gcUntil(() -> recorder.count("destroy", probeId) > 0, 150)).isTrue();
        recorder.flushDestroyQueue();
        assertThat(recorder.count("destroy", untracked)).isZero();
    }

    @Test
    void emitDestroyWithoutAnyHookStillCountsAsTheOneDestroy() {
        AsyncResource resource = new AsyncResource("NoHooks");
        resource.emitDestroy();
        assertThatThrownBy(resource::emitDestroy).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void subclassesWork() {
        final class Job extends AsyncResource {
            private final Runnable callback;

            Job(Runnable callback) {
                super("MyQueue.Job");
                this.callback = callback;
            }

            void complete() {
                runInAsyncScope(callback);
                emitDestroy();
            }
        }
        AtomicReference<String> seen = new AtomicReference<>();
        Job job = als.run("submitter", () -> new Job(() -> seen.set(als.getStore())));
        als.run("completer", job::complete);
        assertThat(seen.get()).isEqualTo("submitter");
        assertThat(job.type()).isEqualTo("MyQueue.Job");
    }
}
