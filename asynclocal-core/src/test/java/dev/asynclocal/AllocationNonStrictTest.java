package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.ThreadState;
import dev.asynclocal.internal.diagnostics.StrictMode;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * Counts the bytes each core operation allocates, with 1, 10, 1,000 and 10,000 instances holding a
 * store in the current context. Capture (snapshot, bind, AsyncResource) and restore must not grow
 * with the number of instances; getStore must not allocate at all. Bytes are counted by the JVM per
 * thread, so the figures do not depend on the machine's speed or load.
 */
class AllocationNonStrictTest {
    @Test
    void runsWithoutStrictMode() {
        assertThat(StrictMode.ENABLED).as("the non-strict surefire execution runs this class").isFalse();
    }

    private static final int OPS = 20_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Object[] sink = new Object[OPS];

    @Test
    void captureCostsTheSameWhateverTheNumberOfInstances() {
        List<Double> snapshotBytes = new ArrayList<>();
        List<Double> bindBytes = new ArrayList<>();
        List<Double> resourceBytes = new ArrayList<>();
        for (int instances : new int[] {1, 10, 1000, 10_000}) {
            withStores(instances, () -> {
                snapshotBytes.add(bytesPerOp(i -> sink[i] = AsyncLocalStorage.snapshot()));
                Runnable task = () -> { };
                bindBytes.add(bytesPerOp(i -> sink[i] = AsyncLocalStorage.bind(task)));
                resourceBytes.add(bytesPerOp(i -> sink[i] = new AsyncResource("Job")));
            });
        }
        report("snapshot()", snapshotBytes);
        report("bind(Runnable)", bindBytes);
        report("new AsyncResource", resourceBytes);
        assertFlat(snapshotBytes);
        assertFlat(bindBytes);
        assertFlat(resourceBytes);
        // A snapshot is one small object holding one frame reference: nothing is copied.
        assertThat(snapshotBytes.get(0)).isLessThanOrEqualTo(32);
    }

    @Test
    void restoreCostsTheSameWhateverTheNumberOfInstances() {
        List<Double> snapshotRunBytes = new ArrayList<>();
        Runnable nothing = () -> { };
        for (int instances : new int[] {1, 10, 1000, 10_000}) {
            withStores(instances, () -> {
                Snapshot snapshot = AsyncLocalStorage.snapshot();
                snapshotRunBytes.add(bytesPerOp(i -> snapshot.run(nothing)));
            });
        }
        report("Snapshot.run", snapshotRunBytes);
        assertFlat(snapshotRunBytes);
        assertThat(snapshotRunBytes.get(0)).isLessThan(1.0);
    }

    @Test
    void getStoreNeverAllocates() {
        for (int instances : new int[] {1, 10, 1000, 10_000}) {
            List<AsyncLocalStorage<Integer>> all = new ArrayList<>();
            withStores(instances, all, () -> {
                AsyncLocalStorage<Integer> first = all.get(0);
                AsyncLocalStorage<Integer> last = all.get(all.size() - 1);
                double bytes = bytesPerOp(i -> sink[i] = first.getStore() + last.getStore());
                // Integer.valueOf caching aside, the sum boxes: measure the reads alone too.
                double readBytes = bytesPerOp(i -> {
                    if (first.getStore() == null || last.getStore() == null) {
                        throw new AssertionError("store lost");
                    }
                });
                System.out.printf("getStore with %d instances: %.3f bytes/op%n", instances, readBytes);
                assertThat(readBytes).isLessThan(0.01);
                assertThat(bytes).isNotNegative();
            });
        }
    }

    @Test
    void runAllocatesOnlyTheNewFrame() {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        Runnable nothing = () -> { };
        double small = bytesPerOp(i -> als.run("v", nothing));
        System.out.printf("run with 1 instance: %.1f bytes/op%n", small);
        // A frame object and its two-slot array; nothing else (no scope object, no boxing).
        assertThat(small).isLessThanOrEqualTo(48);

        List<AsyncLocalStorage<Integer>> all = new ArrayList<>();
        withStores(10_000, all, () -> {
            AsyncLocalStorage<Integer> some = all.get(5_000);
            double large = bytesPerOp(i -> some.run(-1, nothing));
            System.out.printf("run with 10,000 instances: %.1f bytes/op%n", large);
            // Path copying touches a handful of trie nodes, not the 10,000 entries (~40 KB).
            assertThat(large).isLessThan(2_000);
        });
    }

    @Test
    void enterWithAndScopesDoNotCopyTheContext() {
        List<AsyncLocalStorage<Integer>> all = new ArrayList<>();
        withStores(10_000, all, () -> {
            AsyncLocalStorage<Integer> some = all.get(1234);
            // The production cost: this class runs without strict mode, which would walk the
            // stack at every withScope.
            double bytes = bytesPerOp(i -> {
                try (AsyncLocalStorage.Scope ignored = some.withScope(i)) {
                    sink[i] = ignored;
                }
            });
            System.out.printf("withScope+close with 10,000 instances: %.1f bytes/op%n", bytes);
            assertThat(bytes).isLessThan(2_000);
        });
    }

    private static void withStores(int instances, Runnable body) {
        withStores(instances, new ArrayList<>(), body);
    }

    /** Runs {@code body} in a context where {@code instances} instances each hold a store. */
    private static void withStores(int instances, List<AsyncLocalStorage<Integer>> created, Runnable body) {
        for (int i = 0; i < instances; i++) {
            created.add(new AsyncLocalStorage<>("als" + i));
        }
        Frame outer = ThreadState.frame();
        try {
            for (int i = 0; i < instances; i++) {
                created.get(i).enterWith(i);
            }
            assertThat(ThreadState.frame().size()).isEqualTo(instances);
            body.run();
        } finally {
            ThreadState.exit(outer);
        }
    }

    /** Allocated bytes per call of {@code op}, after a warm-up, minus what the bare loop allocates. */
    private double bytesPerOp(IntConsumer op) {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < OPS; i++) {
                op.accept(i);
            }
        }
        IntConsumer empty = i -> { };
        // The least of three runs: a stray allocation (JIT, a GC's bookkeeping) only adds bytes.
        long best = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            long baseline = allocatedDuring(empty);
            long used = allocatedDuring(op);
            best = Math.min(best, Math.max(0, used - baseline));
        }
        java.util.Arrays.fill(sink, null);
        return best / (double) OPS;
    }

    private static long allocatedDuring(IntConsumer op) {
        long id = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(id);
        for (int i = 0; i < OPS; i++) {
            op.accept(i);
        }
        return THREADS.getThreadAllocatedBytes(id) - before;
    }

    private static void report(String what, List<Double> bytesByInstances) {
        System.out.printf("%s bytes/op at 1/10/1000/10000 instances: %s%n", what, bytesByInstances);
    }

    private static void assertFlat(List<Double> bytes) {
        double first = bytes.get(0);
        for (double b : bytes) {
            assertThat(b).isCloseTo(first, org.assertj.core.api.Assertions.within(1.0));
        }
    }
}
