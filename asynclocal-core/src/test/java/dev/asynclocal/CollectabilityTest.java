package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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

    @Test
    void aCancelledPeriodicTaskLetsGoOfItsContextWhileItsFutureIsStillHeld() throws Exception {
        ScheduledExecutorService scheduler = AsyncExecutors.wrap(Executors.newSingleThreadScheduledExecutor());
        try {
            AsyncLocalStorage<Object> als = new AsyncLocalStorage<>("request");
            Object[] store = {new Object()};
            WeakReference<Object> ref = new WeakReference<>(store[0]);
            ScheduledFuture<?> future = als.run(store[0], () -> scheduler.scheduleAtFixedRate(
                    () -> als.getStore(), 1, 1, TimeUnit.HOURS));
            store[0] = null;
            System.gc();
            assertThat(ref.get()).as("kept by the scheduled task").isNotNull();

            assertThat(future.cancel(false)).isTrue();
            // The future is still referenced, and the JDK keeps the cancelled task in its queue
            // until its delay passes (remove-on-cancel is off by default).
            assertThat(collected(ref)).as("collected after cancel").isTrue();
            assertThat(future.isCancelled()).isTrue();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aCancelledQueuedTaskLetsGoOfItsContextWhileStillInThePoolsQueue() throws Exception {
        ExecutorService pool = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
        CountDownLatch release = new CountDownLatch(1);
        try {
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            AsyncLocalStorage<Object> als = new AsyncLocalStorage<>("request");
            Object[] store = {new Object()};
            WeakReference<Object> ref = new WeakReference<>(store[0]);
            Future<?> queued = als.run(store[0], () -> pool.submit(() -> als.getStore()));
            store[0] = null;
            assertThat(queued.cancel(false)).isTrue();
            assertThat(collected(ref)).as("collected while the cancelled future is queued and held").isTrue();
            assertThat(queued.isCancelled()).isTrue();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aFutureThatNeverCompletesTakesItsStagesContextWithItWhenUnreachable() throws InterruptedException {
        WeakReference<Object>[] refs = stagesOnAFutureThatNeverCompletes();
        assertThat(collected(refs[0])).as("the store captured by the pending stages").isTrue();
        assertThat(collected(refs[1])).as("the future itself").isTrue();
    }

    @SuppressWarnings("unchecked")
    private static WeakReference<Object>[] stagesOnAFutureThatNeverCompletes() {
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>("request");
        Object store = new Object();
        CompletableFuture<String> never = new CompletableFuture<>();
        als.run(store, () -> AsyncCompletableFuture.from(never)
                .thenApplyAsync(value -> value + als.getStore())
                .thenAccept(value -> { })
                .exceptionally(error -> null));
        return new WeakReference[] {new WeakReference<>(store), new WeakReference<>(never)};
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
