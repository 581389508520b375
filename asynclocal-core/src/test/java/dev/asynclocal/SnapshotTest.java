package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Snapshot}: run (both), wrap (both), and its hook identity. */
class SnapshotTest {
    @RegisterExtension
    final HookGuard hooks = new HookGuard();

    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
    private final AsyncLocalStorage<String> other = new AsyncLocalStorage<>();

    @Test
    void runRunnableUsesCapturedContextAndRestoresCallers() {
        Snapshot snap = als.run("captured", () -> AsyncLocalStorage.snapshot());
        List<String> seen = new ArrayList<>();
        als.run("caller", () -> other.run("callerOther", () -> {
            snap.run(() -> {
                seen.add(als.getStore());
                seen.add(other.getStore()); // the whole context is replaced, not merged
            });
            seen.add(als.getStore());
            seen.add(other.getStore());
        }));
        assertThat(seen).containsExactly("captured", null, "caller", "callerOther");
    }

    @Test
    void runCallableOpReturnsAndPassesCheckedExceptionThrough() {
        Snapshot snap = als.run("captured", () -> AsyncLocalStorage.snapshot());
        assertThat(snap.run(() -> als.getStore())).isEqualTo("captured");
        IOException failure = new IOException("io");
        assertThatThrownBy(() -> snap.run(() -> {
            throw failure;
        })).isSameAs(failure);
    }

    @Test
    void runRestoresCallerContextOnThrow() {
        Snapshot snap = als.run("captured", () -> AsyncLocalStorage.snapshot());
        als.run("caller", () -> {
            RuntimeException boom = new RuntimeException();
            assertThatThrownBy(() -> snap.run((Runnable) () -> {
                other.enterWith("inside");
                throw boom;
            })).isSameAs(boom);
            assertThat(als.getStore()).isEqualTo("caller");
            assertThat(other.getStore()).isNull();
        });
    }

    @Test
    void enterWithInsideSnapshotRunDoesNotChangeTheSnapshot() {
        Snapshot snap = als.run("captured", () -> AsyncLocalStorage.snapshot());
        snap.run(() -> als.enterWith("changed"));
        assertThat(snap.run(() -> als.getStore())).isEqualTo("captured");
    }

    @Test
    void wrapRunnableRunsManyTimes() {
        AtomicInteger runs = new AtomicInteger();
        List<String> seen = new ArrayList<>();
        Runnable wrapped = als.run("w", () -> AsyncLocalStorage.snapshot()).wrap(() -> {
            runs.incrementAndGet();
            seen.add(als.getStore());
        });
        for (int i = 0; i < 5; i++) {
            als.run("caller" + i, wrapped);
        }
        assertThat(runs).hasValue(5);
        assertThat(seen).containsOnly("w").hasSize(5);
    }

    @Test
    void wrapCallableReturnsAndThrows() throws Exception {
        Snapshot snap = als.run("w", () -> AsyncLocalStorage.snapshot());
        Callable<String> wrapped = snap.wrap(() -> als.getStore());
        assertThat(wrapped.call()).isEqualTo("w");
        assertThat(wrapped.call()).isEqualTo("w");
        Exception failure = new Exception("checked");
        Callable<String> failing = snap.wrap(() -> {
            throw failure;
        });
        assertThatThrownBy(failing::call).isSameAs(failure);
    }

    @Test
    void wrapRunsOnManyThreadsConcurrently() throws Exception {
        int threads = 6;
        CyclicBarrier allInside = new CyclicBarrier(threads);
        Snapshot snap = als.run("shared", () -> AsyncLocalStorage.snapshot());
        Callable<String> wrapped = snap.wrap(() -> {
            // every thread is inside the same snapshot at once before any reads the store
            allInside.await(10, TimeUnit.SECONDS);
            return als.getStore();
        });
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String own = "own" + i;
                results.add(pool.submit(() -> als.run(own, () -> {
                    String inside = wrapped.call();
                    String after = als.getStore();
                    return inside + "|" + after.equals(own);
                })));
            }
            for (Future<String> result : results) {
                assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("shared|true");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void snapshotOfEmptyContextHidesEveryStore() {
        Snapshot empty = AsyncLocalStorage.snapshot();
        als.run("x", () -> other.run("y", () ->
                empty.run(() -> assertThat(als.getStore() + other.getStore()).isEqualTo("nullnull"))));
    }

    @Test
    void withAHookEnabledASnapshotIsAnAsyncResourceOfTypeSnapshot() {
        HookRecorder recorder = hooks.record();
        Snapshot snap = AsyncLocalStorage.snapshot();
        HookRecorder.Event init = recorder.events().stream()
                .filter(e -> e.kind.equals("init") && e.type.equals("Snapshot"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no Snapshot init"));
        AtomicReference<Long> idInside = new AtomicReference<>();
        snap.run(() -> idInside.set(AsyncHooks.executionAsyncId()));
        assertThat(idInside.get()).isEqualTo(init.asyncId);
        assertThat(init.triggerAsyncId).isEqualTo(1L);
        assertThat(recorder.trace(init.asyncId))
                .containsExactly("init " + init.asyncId, "before " + init.asyncId, "after " + init.asyncId);
    }

    @Test
    void withoutHooksASnapshotRunKeepsTheCallersIds() {
        Snapshot snap = AsyncLocalStorage.snapshot();
        AsyncResource resource = new AsyncResource("Outer", 1, true);
        resource.runInAsyncScope(() ->
                snap.run(() -> assertThat(AsyncHooks.executionAsyncId()).isEqualTo(resource.asyncId())));
    }

    @Test
    void toStringCountsStores() {
        Snapshot snap = als.run("a", () -> other.run("b", () -> AsyncLocalStorage.snapshot()));
        assertThat(snap.toString()).contains("2");
    }
}
