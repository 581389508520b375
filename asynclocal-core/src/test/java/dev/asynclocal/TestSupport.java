package dev.asynclocal;

import java.time.Duration;
import org.awaitility.Awaitility;
import java.lang.ref.WeakReference;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the core tests. */
final class TestSupport {
    private TestSupport() {
    }

    /**
     * Runs {@code body} on a new platform thread (whose context starts empty) and returns its
     * result, rethrowing what it threw. Used where a test must not leave {@code enterWith} state
     * on the JUnit thread, and to play "another thread" in Node's timer/immediate examples.
     */
    static <V> V onNewThread(Callable<V> body) throws Exception {
        FutureTask<V> task = new FutureTask<>(body);
        Thread thread = new Thread(task, "asynclocal-test-worker");
        thread.start();
        try {
            return task.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AssertionError("worker thread did not finish in 20 s", e);
        } finally {
            thread.join(20_000);
        }
    }

    /** As {@link #onNewThread(Callable)} for code without a result. */
    static void onNewThread(ThrowingRunnable body) throws Exception {
        onNewThread(() -> {
            body.run();
            return null;
        });
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * Asks for garbage collection until {@code done} holds, at most {@code rounds} times with a
     * short pause each; returns whether it held. Bounded so that a JVM that ignores
     * {@code System.gc()} fails the test instead of hanging it.
     */
    static boolean gcUntil(BooleanSupplier done, int rounds) throws InterruptedException {
        try {
            Awaitility.await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .atMost(Duration.ofMillis(20L * rounds))
                    .until(() -> {
                        if (done.getAsBoolean()) {
                            return true;
                        }
                        System.gc();
                        return false;
                    });
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return done.getAsBoolean();
        }
    }

    /** Whether the object behind {@code ref} has been collected. */
    static boolean cleared(WeakReference<?> ref) {
        return ref.get() == null;
    }

    /**
     * Creates a resource (with GC destroy unless {@code manual}) in a separate frame so that no
     * local variable of the caller keeps it reachable, and returns its id.
     */
    static long createAndDrop(String type, boolean manual) {
        return new AsyncResource(type, AsyncHooks.executionAsyncId(), manual).asyncId();
    }
}
