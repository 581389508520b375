package dev.asynclocal.agent;

import java.time.Duration;
import org.awaitility.Awaitility;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.agent.internal.WeakIdentityMap;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The side table of the agent: identity keys, weak keys, and concurrent use. */
class WeakIdentityMapTest {
    /** Equal to every other instance, so that only identity can tell them apart. */
    static final class AllEqual {
        @Override
        public boolean equals(Object o) {
            return o instanceof AllEqual;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    @Test
    void keysAreComparedByIdentity() {
        WeakIdentityMap<Object, String> map = new WeakIdentityMap<>();
        AllEqual a = new AllEqual();
        AllEqual b = new AllEqual();
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.putIfAbsent(a, "a")).isNull();
        assertThat(map.putIfAbsent(b, "b")).isNull();
        assertThat(map.putIfAbsent(a, "again")).isEqualTo("a");
        assertThat(map.get(a)).isEqualTo("a");
        assertThat(map.get(b)).isEqualTo("b");
        assertThat(map.size()).isEqualTo(2);
        assertThat(map.remove(a)).isEqualTo("a");
        assertThat(map.remove(a)).isNull();
        assertThat(map.get(a)).isNull();
        assertThat(map.remove(b)).isEqualTo("b");
        assertThat(map.isEmpty()).isTrue();
    }

    @Test
    void growsAndKeepsEveryEntry() {
        WeakIdentityMap<Object, Integer> map = new WeakIdentityMap<>();
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Object key = new Object();
            keys.add(key);
            map.putIfAbsent(key, i);
        }
        assertThat(map.size()).isEqualTo(10_000);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(map.get(keys.get(i))).isEqualTo(i);
        }
        for (Object key : keys) {
            map.remove(key);
        }
        assertThat(map.isEmpty()).isTrue();
    }

    @Test
    void entriesOfCollectedKeysGoAwayAndReleaseTheirValues() throws Exception {
        WeakIdentityMap<Object, Object> map = new WeakIdentityMap<>();
        Object value = new Object();
        WeakReference<Object> valueRef = new WeakReference<>(value);
        map.putIfAbsent(new Object(), value);
        value = null;
        Object probe = new Object();
        Awaitility.await("the collected entry to go").pollInSameThread().pollInterval(Duration.ofMillis(10))
                .atMost(Duration.ofSeconds(Kit.TIMEOUT_SECONDS))
                .until(() -> {
                    System.gc();
                    map.putIfAbsent(probe, "probe"); // any put removes collected entries
                    return valueRef.get() == null && map.size() <= 1;
                });
        assertThat(map.size()).isEqualTo(1);
    }

    @Test
    void concurrentPutsAndRemovesLoseNothing() throws Exception {
        WeakIdentityMap<Object, Object> map = new WeakIdentityMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(threads.submit(() -> {
                    start.await();
                    int wrong = 0;
                    for (int i = 0; i < 50_000; i++) {
                        Object key = new Object();
                        Object value = new Object();
                        map.putIfAbsent(key, value);
                        if (map.get(key) != value || map.remove(key) != value) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            start.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get(Kit.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isZero();
            }
            assertThat(map.isEmpty()).isTrue();
        } finally {
            threads.shutdownNow();
        }
    }
}
