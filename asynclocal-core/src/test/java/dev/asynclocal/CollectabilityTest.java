package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

/**
 * There is no global registry of instances or stores: an instance nothing references, and the
 * stores of contexts nothing captures, are garbage-collected (Node's
 * test-async-local-storage-gcable.js, without needing disable() first).
 */
class CollectabilityTest {

    @Test
    void anUnreferencedInstanceAndItsStoresAreCollected() throws InterruptedException {
        WeakReference<?>[] refs = useAndDrop();
        assertThat(collected(refs[0])).as("instance collected").isTrue();
        assertThat(collected(refs[1])).as("store collected").isTrue();
    }

    @Test
    void aStoreCapturedBySnapshotLivesAsLongAsTheSnapshot() throws InterruptedException {
        Object[] holder = new Object[1];
        WeakReference<Object> store = captureInSnapshot(holder);
        System.gc();
        assertThat(store.get()).as("kept alive by the live snapshot").isNotNull();
        holder[0] = null;
        assertThat(collected(store)).as("collected with the snapshot").isTrue();
    }

    @Test
    void aDisabledInstancesStoresAreCollectedOnceNoContextHoldsThem() throws InterruptedException {
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();
        WeakReference<Object> store = enterAndDisable(als);
        assertThat(collected(store)).isTrue();
        assertThat(als.getStore()).isNull();
    }

    private static WeakReference<?>[] useAndDrop() {
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>("temporary");
        Object store = new Object();
        Snapshot[] captured = new Snapshot[1];
        als.run(store, () -> captured[0] = AsyncLocalStorage.snapshot());
        captured[0].run(() -> assertThat(als.getStore()).isSameAs(store));
        return new WeakReference<?>[] {new WeakReference<>(als), new WeakReference<>(store)};
    }

    private static WeakReference<Object> captureInSnapshot(Object[] holder) {
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();
        Object store = new Object();
        als.run(store, () -> holder[0] = AsyncLocalStorage.snapshot());
        return new WeakReference<>(store);
    }

    private static WeakReference<Object> enterAndDisable(AsyncLocalStorage<Object> als) {
        Object store = new Object();
        WeakReference<Object> ref = new WeakReference<>(store);
        als.run(null, () -> {
            als.enterWith(store);
            als.disable();
        });
        return ref;
    }

    /** A bounded GC loop: true once the referent is gone. */
    private static boolean collected(WeakReference<?> ref) throws InterruptedException {
        return TestSupport.gcUntil(() -> ref.get() == null, 100);
    }
}
