package dev.asynclocal;

import static dev.asynclocal.TestSupport.onNewThread;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Node's own tests of {@code run}/{@code exit} nesting and instance independence, ported.
 *
 * <p>Translation: a {@code setTimeout}/{@code setImmediate} callback becomes a task bound with
 * {@link AsyncLocalStorage#bind} where Node would create the timer, run later on another thread.
 * The delay itself carries no meaning here and is dropped.
 */
class NodeAlsRunTest {

    @Test
    void nestedRunsOfTwoInstancesAreBothVisibleToLaterWork() throws Exception {
        // node: test/async-hooks/test-async-local-storage-nested.js
        AsyncLocalStorage<Map<String, String>> als = new AsyncLocalStorage<>();
        AsyncLocalStorage<Map<String, String>> als2 = new AsyncLocalStorage<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        Runnable[] timeout = new Runnable[1];
        als.run(new HashMap<>(), () -> als2.run(new HashMap<>(), () -> {
            als.getStore().put("hello", "world");
            als2.getStore().put("hello", "foo");
            timeout[0] = AsyncLocalStorage.bind(() -> {
                seen.add(als.getStore().get("hello"));
                seen.add(als2.getStore().get("hello"));
            });
        }));
        onNewThread(() -> timeout[0].run());
        assertThat(seen).containsExactly("world", "foo");
    }

    @Test
    void contextsOfTwoInstancesAndTwoCallsDoNotMix() throws Exception {
        // node: test/async-hooks/test-async-local-storage-no-mix-contexts.js
        AsyncLocalStorage<Map<String, String>> als = new AsyncLocalStorage<>();
        AsyncLocalStorage<Map<String, String>> als2 = new AsyncLocalStorage<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        Runnable[] timeouts = new Runnable[2];
        // first "setTimeout(100)" callback
        Runnable first = AsyncLocalStorage.bind(() -> als.run(new HashMap<>(), () -> als2.run(new HashMap<>(), () -> {
            als.getStore().put("hello", "world");
            als2.getStore().put("hello", "foo");
            timeouts[0] = AsyncLocalStorage.bind(() -> {
                seen.add("1:" + als.getStore().get("hello") + "," + als2.getStore().get("hello"));
                als.exit(() -> seen.add("1-exit:" + als.getStore() + "," + als2.getStore().get("hello")));
                seen.add("1-after:" + als.getStore().get("hello") + "," + als2.getStore().get("hello"));
            });
        })));
        // second "setTimeout(100)" callback
        Runnable second = AsyncLocalStorage.bind(() -> als.run(new HashMap<>(), () -> {
            als.getStore().put("hello", "earth");
            timeouts[1] = AsyncLocalStorage.bind(() -> {
                seen.add("2:" + als.getStore().get("hello"));
            });
        }));
        onNewThread(() -> {
            first.run();
            second.run();
        });
        onNewThread(() -> {
            timeouts[1].run();
            timeouts[0].run();
        });
        assertThat(seen).containsExactly(
                "2:earth", "1:world,foo", "1-exit:null,foo", "1-after:world,foo");
    }

    @Test
    void instancesAreIndependent() {
        // node: test/parallel/test-async-local-storage-isolation.js
        AsyncLocalStorage<String> als1 = new AsyncLocalStorage<>();
        AsyncLocalStorage<String> als2 = new AsyncLocalStorage<>();
        assertThat(als1.getStore()).isNull();
        assertThat(als2.getStore()).isNull();
        AtomicInteger calls = new AtomicInteger();
        als1.run("store1", () -> {
            assertThat(als1.getStore()).isEqualTo("store1");
            assertThat(als2.getStore()).isNull();
            als2.run("store2", () -> {
                calls.incrementAndGet();
                assertThat(als1.getStore()).isEqualTo("store1");
                assertThat(als2.getStore()).isEqualTo("store2");
            });
            assertThat(als2.getStore()).isNull();
        });
        assertThat(calls).hasValue(1);
    }

    @Test
    void anyValueIsAStoreAndComesBackByIdentity() {
        // node: test/async-hooks/test-async-local-storage-misc-stores.js
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();
        als.run("hello node", () -> assertThat(als.getStore()).isEqualTo("hello node"));
        Map<String, String> runStore = Map.of("hello", "node");
        als.run(runStore, () -> assertThat(als.getStore()).isSameAs(runStore));
        // node-semantics 2.1.2: 0, false, NaN and functions round-trip too
        for (Object value : new Object[] {0, false, Double.NaN, (Runnable) () -> { }, new Object[0]}) {
            als.run(value, () -> assertThat(als.getStore()).isSameAs(value));
        }
    }

    @Test
    void runNestsAThousandLevelsDeep() {
        // node: test/parallel/test-async-local-storage-deep-stack.js (regression #34556)
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();
        AtomicBoolean done = new AtomicBoolean();
        deep(als, 1000, done);
        assertThat(done).isTrue();
        assertThat(als.getStore()).isNull();
    }

    private static void deep(AsyncLocalStorage<Object> als, int count, AtomicBoolean done) {
        if (count != 0) {
            Object store = new Object();
            als.run(store, () -> {
                deep(als, count - 1, done);
                // each level still sees its own store after the deeper ones returned
                if (als.getStore() != store) {
                    throw new AssertionError("level " + count + " lost its store");
                }
            });
            return;
        }
        done.set(true);
    }

    @Test
    void alternatingRunAndExitDoesNotAccumulateEntries() {
        // node: test/parallel/test-async-local-storage-exit-does-not-leak.js
        // Node guards against re-registering the instance on every exit (#35779); the Java
        // analogue is that 100 alternating run/exit levels leave no more than one entry for
        // this instance in the current context.
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();
        AtomicInteger maxEntries = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        runThenExit(als, 100, maxEntries, done);
        assertThat(done).isTrue();
        assertThat(maxEntries.get()).isLessThanOrEqualTo(1);
    }

    private static void runThenExit(AsyncLocalStorage<Object> als, int count, AtomicInteger maxEntries,
            AtomicBoolean done) {
        if (count == 0) {
            done.set(true);
            return;
        }
        als.run(new Object(), () -> {
            maxEntries.accumulateAndGet(AsyncLocalStorage.snapshot().frame().size(), Math::max);
            als.exit(() -> {
                maxEntries.accumulateAndGet(AsyncLocalStorage.snapshot().frame().size(), Math::max);
                runThenExit(als, count - 1, maxEntries, done);
            });
        });
    }

    @Test
    void workCreatedInsideExitSeesNoStoreWorkOutsideKeepsIt() throws Exception {
        // node: test/async-hooks/test-async-local-storage-async-functions.js
        AsyncLocalStorage<Map<String, String>> als = new AsyncLocalStorage<>();
        List<Object> seen = new CopyOnWriteArrayList<>();
        Runnable[] awaits = new Runnable[1];
        als.run(new HashMap<>(), () -> {
            als.getStore().put("key", "value");
            // "testAwait()": its continuation after "await foo()" keeps the store...
            awaits[0] = AsyncLocalStorage.bind(() -> {
                seen.add(als.getStore().get("key"));
                // ...and "exit(testOut)" makes testOut's continuation see none
                Runnable testOut = als.exit(() -> AsyncLocalStorage.bind(() -> {
                    seen.add(String.valueOf(als.getStore()));
                }));
                testOut.run();
            });
        });
        assertThat(als.getStore()).isNull();
        onNewThread(() -> awaits[0].run());
        assertThat(seen).containsExactly("value", "null");
    }
}
