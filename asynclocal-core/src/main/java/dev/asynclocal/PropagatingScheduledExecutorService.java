package dev.asynclocal;

import dev.asynclocal.internal.AsyncOperation;
import dev.asynclocal.internal.Bound;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link AsyncExecutors#wrap(ScheduledExecutorService)}. Scheduled tasks are resources of type
 * {@code "ScheduledTask"}; a periodic task is one resource whose every run is a
 * {@code before}/{@code after} pair in the context captured when it was scheduled.
 */
final class PropagatingScheduledExecutorService extends PropagatingExecutorService
        implements ScheduledExecutorService {
    private final ScheduledExecutorService scheduler;

    PropagatingScheduledExecutorService(ScheduledExecutorService delegate) {
        super(delegate);
        this.scheduler = delegate;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        Bound.Task task = Bound.runnable(command, AsyncOperation.SCHEDULED_TASK, AsyncOperation.FINISH_AFTER_RUN);
        return track(task, () -> scheduler.schedule(task, delay, unit));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        Objects.requireNonNull(unit, "unit");
        Bound.Call<V> task = Bound.callable(callable, AsyncOperation.SCHEDULED_TASK, AsyncOperation.FINISH_AFTER_RUN);
        return track(task, () -> scheduler.schedule(task, delay, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        Bound.Task task = Bound.runnable(command, AsyncOperation.SCHEDULED_TASK, AsyncOperation.FINISH_ON_FAILURE);
        return track(task, () -> scheduler.scheduleAtFixedRate(task, initialDelay, period, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        Bound.Task task = Bound.runnable(command, AsyncOperation.SCHEDULED_TASK, AsyncOperation.FINISH_ON_FAILURE);
        return track(task, () -> scheduler.scheduleWithFixedDelay(task, initialDelay, delay, unit));
    }

    /**
     * Hands {@code task} to the delegate with {@code schedule} and returns the delegate's future
     * seen through a {@link TrackedScheduledFuture}. If the delegate refuses the task (rejected,
     * shut down, a bad argument), the task will never run, so its resource ends here.
     */
    private static <V> ScheduledFuture<V> track(AsyncOperation task, Supplier<ScheduledFuture<V>> schedule) {
        ScheduledFuture<V> future;
        try {
            future = schedule.get();
        } catch (RuntimeException | Error e) {
            task.finish();
            throw e;
        }
        return new TrackedScheduledFuture<>(future, task);
    }
}
