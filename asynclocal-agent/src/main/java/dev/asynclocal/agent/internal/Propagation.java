package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.util.concurrent.Callable;

/**
 * The decision every instrumented entry point makes first, and the wrapping of plain tasks.
 *
 * <p>An operation captures only if the thread's context is not empty or a hook is enabled (then
 * it is an async resource even in an empty context), and the thread is not starting
 * infrastructure ({@link Engine#captureSuppressed}). Otherwise the instrumented method gets
 * its argument back unchanged: no capture, no allocation. A task that already carries a capture
 * (made by {@code AsyncExecutors}, {@code AsyncCompletableFuture}, or by an outer instrumented
 * method that delegates to this one; see {@link #passesThrough}) is passed through, so nothing
 * is captured twice.
 *
 * <p>Every method here is called from code the agent inlines into JDK classes, which the
 * bootstrap class loader defines: this class and everything it uses must be loadable there (the
 * agent jar is on the bootstrap class path).
 */
public final class Propagation {
    private Propagation() {
    }

    /**
     * Whether an operation created now on the calling thread must capture.
     *
     * @return {@code true} to capture
     */
    public static boolean capturing() {
        return Engine.shouldCapture();
    }

    /**
     * Whether {@code task} must be passed through as it is: a capture (already bound), or
     * a {@link Engine.PassThrough} (bound otherwise, or library plumbing).
     *
     * @param task a task or callback
     * @return {@code true} to pass it through
     */
    public static boolean passesThrough(Object task) {
        return Engine.passesThrough(task);
    }

    /**
     * {@code task} bound to the calling thread's context, or {@code task} itself when there is
     * nothing to capture.
     *
     * @param task the task, possibly {@code null} (left for the JDK method to reject)
     * @param type the resource type
     * @param ending when the operation ends (see capture)
     * @return what the instrumented method should use instead of {@code task}
     */
    public static Runnable runnable(Runnable task, String type, int ending) {
        if (task == null || passesThrough(task) || !capturing()) {
            return task;
        }
        return Engine.runnable(task, type, ending);
    }

    /**
     * {@code task} bound to the calling thread's context, or {@code task} itself when there is
     * nothing to capture.
     *
     * @param task the task, possibly {@code null}
     * @param type the resource type
     * @param ending when the operation ends
     * @param <V> the result type
     * @return what the instrumented method should use instead of {@code task}
     */
    public static <V> Callable<V> callable(Callable<V> task, String type, int ending) {
        if (task == null || passesThrough(task) || !capturing()) {
            return task;
        }
        return Engine.callable(task, type, ending);
    }

    /**
     * A capture of the calling thread's context for an object whose identity must be kept (the
     * caller runs it with {@code enter}/{@code exit} and calls {@code finish}), or {@code null}
     * when there is nothing to capture.
     *
     * @param type the resource type
     * @return the capture, announced, or {@code null}
     */
    public static Object captureOrNull(String type) {
        if (!capturing()) {
            return null;
        }
        return Engine.capture(type, Engine.FINISH_EXTERNALLY);
    }
}
