package dev.asynclocal;

import dev.asynclocal.internal.PassThrough;
import dev.asynclocal.internal.Captured;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * The future of a task submitted through a propagating executor service: a plain
 * {@link FutureTask} (the future every {@code AbstractExecutorService} returns) whose callable
 * runs in the submitter's context, and which ends the task's async resource exactly when the
 * future completes: after the task ran, or when it was cancelled before running. It is a
 * {@link PassThrough}, so the agent does not capture it a second time when the wrapped executor
 * is a JDK one.
 *
 * @param <V> the result type
 */
final class TrackedFutureTask<V> extends FutureTask<V> implements PassThrough {
    private final Captured.Call<V> capture;
    /** Where {@code invokeAny} waits for the first completed task; {@code null} otherwise. */
    private final BlockingQueue<Future<V>> completions;

    TrackedFutureTask(Captured.Call<V> capture, BlockingQueue<Future<V>> completions) {
        super(capture);
        this.capture = capture;
        this.completions = completions;
    }

    /** The executor did not accept this task, or gave it back on shutdownNow: it will not run there. */
    void rejected() {
        capture.finish();
    }

    @Override
    protected void done() {
        // Runs after the callable returned (so after its "after" event), or on the cancelling
        // thread; in a cancel racing with a run, Capture defers destroy until that run exits.
        capture.finish();
        if (completions != null) {
            completions.add(this);
        }
    }
}
