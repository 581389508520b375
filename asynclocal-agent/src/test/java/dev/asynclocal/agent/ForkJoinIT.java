package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.TIMEOUT_SECONDS;
import static dev.asynclocal.agent.Kit.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncResource;
import dev.asynclocal.agent.Kit.Event;
import dev.asynclocal.agent.Kit.Recorder;
import dev.asynclocal.agent.internal.ForkJoinSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountedCompleter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Fork/join under the agent: tasks keep their identity, every subtask forked in a context runs in
 * it, parallel streams see the caller's context on every element, and the side table the agent
 * keeps for forked tasks empties as they run.
 */
class ForkJoinIT {
    /** Sums a range, checking on every subtask that the store is the expected one. */
    @SuppressWarnings("serial")
    static final class CheckedSum extends RecursiveTask<Long> {
        private final int from;
        private final int to;
        private final String expected;
        private final AtomicInteger mismatches;

        CheckedSum(int from, int to, String expected, AtomicInteger mismatches) {
            this.from = from;
            this.to = to;
            this.expected = expected;
            this.mismatches = mismatches;
        }

        @Override
        protected Long compute() {
            if (!String.valueOf(expected).equals(String.valueOf(STORE.getStore()))) {
                mismatches.incrementAndGet();
            }
            if (to - from <= 16) {
                long sum = 0;
                for (int i = from; i < to; i++) {
                    sum += i;
                }
                return sum;
            }
            int mid = (from + to) >>> 1;
            CheckedSum left = new CheckedSum(from, mid, expected, mismatches);
            CheckedSum right = new CheckedSum(mid, to, expected, mismatches);
            assertThat(left.fork()).isSameAs(left);
            long r = right.compute();
            return left.join() + r;
        }
    }

    @Test
    void recursiveTasksSeeTheirContextOnEveryWorker() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            AtomicInteger mismatches = new AtomicInteger();
            long expectedSum = (long) 100_000 * 99_999 / 2;
            assertThat(STORE.run("recursive", () -> pool.invoke(new CheckedSum(0, 100_000, "recursive", mismatches))))
                    .isEqualTo(expectedSum);
            assertThat(STORE.run("submitted", () -> get(pool.submit(new CheckedSum(0, 100_000, "submitted", mismatches)))))
                    .isEqualTo(expectedSum);
            // The common pool, and a computation started outside any context.
            assertThat(STORE.run("common", () -> new CheckedSum(0, 100_000, "common", mismatches).fork().join()))
                    .isEqualTo(expectedSum);
            assertThat(pool.invoke(new CheckedSum(0, 100_000, null, mismatches))).isEqualTo(expectedSum);
            assertThat(mismatches.get()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentComputationsInDifferentContextsStaySeparate() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            AtomicInteger mismatches = new AtomicInteger();
            List<java.util.concurrent.Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String context = i % 4 == 0 ? null : "computation-" + i;
                results.add(callers.submit(() -> context == null
                        ? new CheckedSum(0, 20_000, null, mismatches).invoke()
                        : STORE.run(context, () -> new CheckedSum(0, 20_000, context, mismatches).invoke())));
            }
            for (java.util.concurrent.Future<Long> result : results) {
                assertThat(get(result)).isEqualTo((long) 20_000 * 19_999 / 2);
            }
            assertThat(mismatches.get()).isZero();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void parallelStreamsSeeTheCallersContextOnEveryElement() throws Exception {
        Set<String> seen = STORE.run("stream", () -> IntStream.range(0, 10_000).parallel()
                .mapToObj(i -> String.valueOf(STORE.getStore())).collect(Collectors.toSet()));
        assertThat(seen).containsExactly("stream");
        Map<String, Long> counts = STORE.run("grouped", () -> IntStream.range(0, 10_000).boxed().parallel()
                .collect(Collectors.groupingByConcurrent(i -> String.valueOf(STORE.getStore()), Collectors.counting())));
        assertThat(counts).containsOnlyKeys("grouped");
        Queue<String> forEach = new ConcurrentLinkedQueue<>();
        STORE.run("forEach", () -> IntStream.range(0, 1_000).parallel().forEach(i -> forEach.add(String.valueOf(STORE.getStore()))));
        assertThat(forEach).hasSize(1_000).allMatch("forEach"::equals);
        assertThat(IntStream.range(0, 10_000).parallel().mapToObj(i -> String.valueOf(STORE.getStore()))
                .collect(Collectors.toSet())).containsExactly("null");
    }

    @Test
    void parallelStreamsFromManyRequestsAtOnceStaySeparate() throws Exception {
        ExecutorService requests = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Set<String>>> results = new ArrayList<>();
            for (int r = 0; r < 24; r++) {
                String context = "request-" + r;
                results.add(requests.submit(() -> STORE.run(context, () -> IntStream.range(0, 5_000).parallel()
                        .mapToObj(i -> String.valueOf(STORE.getStore())).collect(Collectors.toSet()))));
            }
            for (int r = 0; r < 24; r++) {
                assertThat(get(results.get(r))).containsExactly("request-" + r);
            }
        } finally {
            requests.shutdownNow();
        }
    }

    /** A completer tree: every node checks its store, the root completes when all leaves did. */
    @SuppressWarnings("serial")
    static final class Checked extends CountedCompleter<Void> {
        private final int depth;
        private final String expected;
        private final Set<String> seen;

        Checked(CountedCompleter<?> parent, int depth, String expected, Set<String> seen) {
            super(parent);
            this.depth = depth;
            this.expected = expected;
            this.seen = seen;
        }

        @Override
        public void compute() {
            seen.add(String.valueOf(STORE.getStore()));
            if (depth > 0) {
                setPendingCount(2);
                new Checked(this, depth - 1, expected, seen).fork();
                new Checked(this, depth - 1, expected, seen).fork();
            }
            tryComplete();
        }
    }

    @Test
    void countedCompletersAndInvokeAllPropagate() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        STORE.run("completer", () -> ForkJoinPool.commonPool().invoke(new Checked(null, 8, "completer", seen)));
        assertThat(seen).containsExactly("completer");

        Queue<String> actions = new ConcurrentLinkedQueue<>();
        RecursiveAction a = new RecursiveAction() {
            @Override
            protected void compute() {
                actions.add(String.valueOf(STORE.getStore()));
            }
        };
        RecursiveAction b = new RecursiveAction() {
            @Override
            protected void compute() {
                actions.add(String.valueOf(STORE.getStore()));
            }
        };
        STORE.run("invokeAll", () -> ForkJoinTask.invokeAll(a, b));
        assertThat(actions).containsExactly("invokeAll", "invokeAll");
        // A task forked again after reinitialize() is captured again, in its new context.
        AtomicInteger runs = new AtomicInteger();
        Queue<String> reruns = new ConcurrentLinkedQueue<>();
        RecursiveAction again = new RecursiveAction() {
            @Override
            protected void compute() {
                runs.incrementAndGet();
                reruns.add(String.valueOf(STORE.getStore()));
            }
        };
        STORE.run("first-fork", () -> again.fork().join());
        again.reinitialize();
        STORE.run("second-fork", () -> again.fork().join());
        assertThat(reruns).containsExactly("first-fork", "second-fork");
    }

    @Test
    void forkedTasksAreResourcesTriggeredByTheForker() throws Exception {
        try (Recorder recorder = new Recorder().enable()) {
            AsyncResource forker = new AsyncResource("Forker");
            RecursiveTask<long[]> task = new RecursiveTask<long[]>() {
                @Override
                protected long[] compute() {
                    return Kit.ids();
                }
            };
            long[] inside = forker.runInAsyncScope(() -> task.fork().join());
            Event init = recorder.onlyInit("ForkJoinTask", forker.asyncId());
            assertThat(inside).containsExactly(init.asyncId, forker.asyncId());
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "destroy");
        }
    }

    @Test
    void theSideTableEmptiesAsForkedTasksRun() throws Exception {
        AtomicInteger mismatches = new AtomicInteger();
        STORE.run("table", () -> new CheckedSum(0, 200_000, "table", mismatches).invoke());
        assertThat(mismatches.get()).isZero();
        // Every task forked here ran, so nothing it forked is still waiting for its capture; other
        // tests' leftovers (a cancelled task that was never collected) may remain, but few.
        Kit.awaitTrue(() -> ForkJoinSupport.pendingCount() < 16, "the side table to empty");
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        ForkJoinPool.commonPool().awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
