package dev.asynclocal;

import dev.asynclocal.internal.Bound;
import dev.asynclocal.internal.Engine;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * The future of a task submitted through a propagating executor service: a plain
 * {@link FutureTask} (the future every {@code AbstractExecutorService} returns) whose callable
 * runs in the submitter's context, and which ends the task's async resource exactly when the
 * future completes: after the task ran, or when it was cancelled before running. It is a
 * {@link Engine.PassThrough}, so the agent does not capture it a second time when the wrapped executor
 * is a JDK one.
 *
 * @param <V> the result type
 */
final class TrackedFutureTask<V> extends FutureTask<V> implements Engine.PassThrough {
    /**
     * Dropped once the future completes: a completed (or cancelled) future may be kept long after
     * by its caller or left in the delegate's queue, and must not keep the task's context alive
     * ({@code FutureTask} lets go of its callable at completion for the same reason).
     */
    private volatile Bound.Call<V> capture;
    /** Where {@code invokeAny} waits for the first completed task; {@code null} otherwise. */
    private final BlockingQueue<Future<V>> completions;

    TrackedFutureTask(Bound.Call<V> capture, BlockingQueue<Future<V>> completions) {
        super(capture);
        this.capture = capture;
        this.completions = completions;
    }

    /** The executor did not accept this task, or gave it back on shutdownNow: it will not run there. */
    void rejected() {
        Bound.Call<V> held = capture;
        if (held != null) {
            held.finish();
        }
    }

    @Override
    protected void done() {
        // Runs after the callable returned (so after its "after" event), or on the cancelling
        // thread; in a cancel racing with a run, the AsyncOperation defers destroy until that run exits.
        Bound.Call<V> held = capture;
        if (held != null) {
            capture = null;
            held.finish();
        }
        if (completions != null) {
            completions.add(this);
        }
    }
}
