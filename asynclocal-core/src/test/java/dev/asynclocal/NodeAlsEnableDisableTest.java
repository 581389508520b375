package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Node's test of {@code disable()}, ported. {@code process.nextTick} becomes a task bound where it
 * is scheduled and queued on one worker thread, so ticks run in scheduling order as in Node.
 */
class NodeAlsEnableDisableTest {

    @Test
    void disableHidesTheStoreUntilTheNextRun() throws Exception {
        // node: test/async-hooks/test-async-local-storage-enable-disable.js
        AsyncLocalStorage<Map<String, String>> als = new AsyncLocalStorage<>();
        ExecutorService ticks = Executors.newSingleThreadExecutor();
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch lastTick = new CountDownLatch(1);
        try {
            als.run(new HashMap<>(), () -> {
                als.getStore().put("foo", "bar");
                nextTick(ticks, () -> {
                    seen.add("tick1:" + als.getStore().get("foo"));
                    // captured before disable(), runs after it: sees no store either
                    nextTick(ticks, () -> seen.add("tick2:" + als.getStore()));
                    als.disable();
                    seen.add("disabled:" + als.getStore());
                    // calls to exit() do not re-enable
                    als.exit(() -> seen.add("exit:" + als.getStore()));
                    seen.add("afterExit:" + als.getStore());
                    nextTick(ticks, () -> {
                        seen.add("tick3:" + als.getStore());
                        Map<String, String> fresh = new HashMap<>();
                        fresh.put("bar", "foo");
                        als.run(fresh, () -> seen.add("rerun:" + als.getStore().get("bar")));
                        lastTick.countDown();
                    });
                });
            });
            assertThat(lastTick.await(10, TimeUnit.SECONDS)).as("last tick ran").isTrue();
        } finally {
            ticks.shutdown();
            ticks.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(seen).containsExactly("tick1:bar", "disabled:null", "exit:null", "afterExit:null",
                "tick2:null", "tick3:null", "rerun:foo");
    }

    private static void nextTick(ExecutorService ticks, Runnable callback) {
        ticks.execute(AsyncLocalStorage.bind(callback));
    }
}
