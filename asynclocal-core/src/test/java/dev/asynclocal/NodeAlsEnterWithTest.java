package dev.asynclocal;

import static dev.asynclocal.TestSupport.onNewThread;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Node's tests of {@code enterWith}, ported. A {@code setImmediate}/{@code setTimeout} callback
 * becomes a task bound with {@link AsyncLocalStorage#bind} where Node creates it.
 */
class NodeAlsEnterWithTest {
    private final AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();

    @Test
    void enterWithInATaskIsSeenByWorkItCreatesNotByEarlierWork() throws Exception {
        // node: test/async-hooks/test-async-local-storage-enter-with.js
        Object store = new Object();
        List<Object> seen = new CopyOnWriteArrayList<>();
        Runnable[] innerTimeout = new Runnable[1];
        Runnable immediate = AsyncLocalStorage.bind(() -> {
            als.enterWith(store);
            seen.add(als.getStore() == store);
            innerTimeout[0] = AsyncLocalStorage.bind(() -> {
                seen.add(als.getStore() == store);
            });
        });
        Runnable topLevelTimeout = AsyncLocalStorage.bind(() -> {
            seen.add(als.getStore() == null);
        });
        onNewThread(() -> {
            immediate.run();
            // same thread, later: the top-level timer must not see the immediate's enterWith
            topLevelTimeout.run();
            innerTimeout[0].run();
        });
        assertThat(seen).containsExactly(true, true, true);
    }

    @Test
    void resourceConstructedBeforeEnterWithKeepsTheOldStore() throws Exception {
        // node: test/async-hooks/test-async-local-storage-set-dc.js ("AsyncResource was
        // constructed before store2 assignment, so it should keep reflecting the old store")
        Object store = "store";
        Object store2 = "store2";
        List<Object> seen = new CopyOnWriteArrayList<>();
        onNewThread(() -> {
            als.enterWith(store);
            Runnable timeout = AsyncLocalStorage.bind(() -> {
                seen.add(als.getStore());
                AsyncResource res = new AsyncResource("test");
                als.enterWith(store2);
                res.runInAsyncScope(() -> seen.add(als.getStore()));
                seen.add(als.getStore());
            });
            timeout.run();
        });
        assertThat(seen).containsExactly(store, store, store2);
    }

    @Test
    void enterWithInOneTaskNeverLeaksIntoTheNextTaskOnTheSameThread() throws Exception {
        // node-semantics 4 (#35286): a value set with enterWith in one callback must not show up
        // in an unrelated callback that later runs on the same (pool) thread.
        ExecutorService single = Executors.newSingleThreadExecutor();
        List<Object> seen = new CopyOnWriteArrayList<>();
        try {
            Runnable handler = AsyncLocalStorage.bind(() -> als.enterWith("from handler"));
            Runnable unrelated = AsyncLocalStorage.bind(() -> {
                seen.add(String.valueOf(als.getStore()));
            });
            single.submit(handler).get(10, TimeUnit.SECONDS);
            single.submit(unrelated).get(10, TimeUnit.SECONDS);
        } finally {
            single.shutdownNow();
        }
        assertThat(seen).containsExactly("null");
    }
}
