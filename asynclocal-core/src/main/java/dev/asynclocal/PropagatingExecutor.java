package dev.asynclocal;

import dev.asynclocal.internal.AsyncOperation;
import dev.asynclocal.internal.Bound;
import java.util.Objects;
import java.util.concurrent.Executor;

/** {@link AsyncExecutors#wrap(Executor)} for a plain {@link Executor}. */
class PropagatingExecutor implements Executor {
    final Executor delegate;
    /** The resource type of tasks given to {@link #execute}. */
    final String type;

    PropagatingExecutor(Executor delegate, String type) {
        this.delegate = delegate;
        this.type = type;
    }

    @Override
    public void execute(Runnable command) {
        execute(delegate, command, type);
    }

    /** Hands {@code command}, bound to the caller's context, to {@code delegate}. */
    static void execute(Executor delegate, Runnable command, String type) {
        Objects.requireNonNull(command, "command");
        Bound.Task task = Bound.runnable(command, type, AsyncOperation.FINISH_AFTER_RUN);
        try {
            delegate.execute(task);
        } catch (RuntimeException | Error e) {
            // Rejected (or the delegate broke): the task will never run, so its resource ends here.
            task.finish();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "AsyncExecutors.wrap(" + delegate + ")";
    }
}
