package dev.asynclocal;

import dev.asynclocal.internal.AsyncOperation;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future returned by a propagating scheduled executor: the delegate's own future, seen
 * through a thin view that ends the task's async resource when the task is cancelled (the
 * delegate's future cannot tell us). Everything else is the delegate's behaviour.
 *
 * @param <V> the result type
 */
final class TrackedScheduledFuture<V> implements ScheduledFuture<V> {
    final ScheduledFuture<V> delegate;
    /**
     * Dropped once the task is cancelled: a caller may keep the future long after, and the
     * capture holds the task and the context it was scheduled in (the delegate's own future
     * lets go of the task on cancel too).
     */
    private volatile AsyncOperation capture;

    TrackedScheduledFuture(ScheduledFuture<V> delegate, AsyncOperation capture) {
        this.delegate = delegate;
        this.capture = capture;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = delegate.cancel(mayInterruptIfRunning);
        AsyncOperation held = capture;
        if (cancelled && held != null) {
            capture = null;
            held.finish();
        }
        return cancelled;
    }

    @Override
    public boolean isCancelled() {
        return delegate.isCancelled();
    }

    @Override
    public boolean isDone() {
        return delegate.isDone();
    }

    @Override
    public V get() throws InterruptedException, ExecutionException {
        return delegate.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return delegate.get(timeout, unit);
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return delegate.getDelay(unit);
    }

    @Override
    public int compareTo(Delayed other) {
        return delegate.compareTo(other instanceof TrackedScheduledFuture
                ? ((TrackedScheduledFuture<?>) other).delegate
                : other);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
