package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Errors the JVM raises, inside every construct that installs a context: afterwards the context
 * (stores of two instances, execution and trigger ids, execution resource) is exactly what it was
 * before, and the library still works on that thread. Every fault is tried in every place:
 * <ul>
 *   <li>a real {@link StackOverflowError} from plain deep recursion;</li>
 *   <li>a real {@link StackOverflowError} from recursion through nested {@code run} calls, so that
 *       the stack runs out inside the library's own code as well, and on the way back
 *       every level's restore runs with almost no stack left;</li>
 *   <li>an {@link OutOfMemoryError} thrown by the callback;</li>
 *   <li>a real {@link OutOfMemoryError} for an array larger than the VM allows (nothing is
 *       allocated);</li>
 *   <li>a real {@link OutOfMemoryError} ("Java heap space") for an array larger than the whole
 *       heap (refused after one full collection, without filling the heap).</li>
 * </ul>
 * Places: {@code run}, {@code Snapshot.run}, {@code AsyncResource.runInAsyncScope} (with a hook
 * enabled, so ids change too), and a task of {@code AsyncExecutors.wrap} (probed afterwards with
 * a raw task on the same worker). Each case runs on a fresh thread with a 1 MiB stack, so that
 * the overflow comes quickly whatever the JVM's default.
 */
class FaultsTest {
    private static final long STACK = 1L << 20;

    @RegisterExtension
    final HookGuard hooks = new HookGuard();

    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>("faults");
    private final AsyncLocalStorage<String> other = new AsyncLocalStorage<>("faults-other");

    /** One fault: throws it, or returns if the JVM could not be made to raise it here. */
    private interface Fault {
        void raise();
    }

    private static int deep(int n) {
        return deep(n + 1) + 1;
    }

    private void nestedRuns(int n) {
        als.run("level-" + n, () -> nestedRuns(n + 1));
    }

    private List<Object[]> faults() {
        List<Object[]> faults = new ArrayList<>();
        faults.add(new Object[] {"StackOverflowError (deep recursion)", StackOverflowError.class,
                (Fault) () -> deep(0)});
        faults.add(new Object[] {"StackOverflowError (recursion through nested run)", StackOverflowError.class,
                (Fault) () -> nestedRuns(0)});
        faults.add(new Object[] {"OutOfMemoryError (thrown by the callback)", OutOfMemoryError.class,
                (Fault) () -> {
                    throw new OutOfMemoryError("thrown by the callback");
                }});
        faults.add(new Object[] {"OutOfMemoryError (array over the VM limit)", OutOfMemoryError.class,
                (Fault) () -> {
                    long[] huge = new long[Integer.MAX_VALUE];
                    huge[0] = 1; // not reached
                }});
        faults.add(new Object[] {"OutOfMemoryError (array over the heap)", OutOfMemoryError.class,
                (Fault) () -> {
                    long words = Runtime.getRuntime().maxMemory() / Long.BYTES + (1 << 20);
                    // On a heap over 16 GiB this is the VM-limit case again; never a real fill.
                    long[] huge = new long[(int) Math.min(words, Integer.MAX_VALUE)];
                    huge[0] = 1;
                }});
        return faults;
    }

    /** Everything a fault must leave as it found it. */
    private String context() {
        return als.getStore() + "/" + other.getStore() + "/" + AsyncHooks.executionAsyncId() + "/"
                + AsyncHooks.triggerAsyncId() + "/" + System.identityHashCode(AsyncHooks.executionAsyncResource());
    }

    /** The library still does its job on this thread after the fault. */
    private void stillWorks() {
        assertThat(als.run("after", als::getStore)).isEqualTo("after");
        Snapshot snapshot = als.run("snap-after", () -> AsyncLocalStorage.snapshot());
        assertThat(snapshot.run(als::getStore)).isEqualTo("snap-after");
        AsyncResource resource = new AsyncResource("AfterFault");
        assertThat(resource.runInAsyncScope(AsyncHooks::executionAsyncId)).isEqualTo(resource.asyncId());
        try (AsyncLocalStorage.Scope ignored = als.withScope("scoped-after")) {
            assertThat(als.getStore()).isEqualTo("scoped-after");
        }
    }

    /** Runs {@code body} on a new thread with a small stack, rethrowing what it threw. */
    private static void onSmallStack(Runnable body) throws Throwable {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "faults", STACK);
        thread.start();
        thread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(thread.isAlive()).as("the fault case finished").isFalse();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Enters a known context in which the fault is raised from inside {@code place}. */
    private void inPlace(String place, Class<? extends Throwable> expected, Fault fault) {
        als.enterWith("outer");
        other.enterWith("outer-other");
        AsyncResource outerResource = new AsyncResource("OuterResource");
        outerResource.runInAsyncScope(() -> {
            String before = context();
            Throwable thrown = null;
            try {
                switch (place) {
                    case "run":
                        als.run("inside", fault::raise);
                        break;
                    case "Snapshot.run":
                        als.run("captured", () -> AsyncLocalStorage.snapshot()).run(fault::raise);
                        break;
                    case "runInAsyncScope":
                        als.run("captured", () -> new AsyncResource("Faulty")).runInAsyncScope(fault::raise);
                        break;
                    default:
                        throw new IllegalArgumentException(place);
                }
            } catch (Throwable t) {
                thrown = t;
            }
            assertThat(thrown).isInstanceOf(expected);
            assertThat(context()).as("the context after " + thrown).isEqualTo(before);
            stillWorks();
            assertThat(context()).isEqualTo(before);
        });
        assertThat(als.getStore()).isEqualTo("outer");
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
    }

    private void inWrappedTask(Class<? extends Throwable> expected, Fault fault) throws Exception {
        ExecutorService raw = Executors.newSingleThreadExecutor(r -> new Thread(null, r, "faults-worker", STACK));
        try {
            ExecutorService wrapped = AsyncExecutors.wrap(raw);
            String workerBefore = raw.submit(this::context).get(20, TimeUnit.SECONDS);
            Future<?> failed = als.run("submitted", () -> wrapped.submit(fault::raise));
            Throwable cause = null;
            try {
                failed.get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                cause = e.getCause();
            }
            assertThat(cause).isInstanceOf(expected);
            assertThat(raw.submit(this::context).get(20, TimeUnit.SECONDS)).as("the worker afterwards").isEqualTo(workerBefore);
            wrapped.submit(this::stillWorks).get(20, TimeUnit.SECONDS);
            assertThat(raw.submit(this::context).get(20, TimeUnit.SECONDS)).isEqualTo(workerBefore);
        } finally {
            raw.shutdownNow();
            assertThat(raw.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFaultInEveryPlaceLeavesTheContextAsItWas() {
        // For every dynamic test (the guard undoes both after the factory's last one):
        hooks.collectErrors(); // a hook callback that overflows is reported, not printed
        hooks.record(); // so that resources carry real ids and dispatch runs
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] f : faults()) {
            String name = (String) f[0];
            @SuppressWarnings("unchecked")
            Class<? extends Throwable> expected = (Class<? extends Throwable>) f[1];
            Fault fault = (Fault) f[2];
            for (String place : List.of("run", "Snapshot.run", "runInAsyncScope")) {
                tests.add(DynamicTest.dynamicTest(name + " in " + place,
                        () -> onSmallStack(() -> inPlace(place, expected, fault))));
            }
            tests.add(DynamicTest.dynamicTest(name + " in a wrapped task", () -> inWrappedTask(expected, fault)));
        }
        return tests.stream();
    }
}
