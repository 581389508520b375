package dev.asynclocal;

import dev.asynclocal.internal.AsyncOperation;
import dev.asynclocal.internal.Bound;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link AsyncExecutors#wrap(ExecutorService)}.
 *
 * <p>It is an {@link AbstractExecutorService}: {@code submit} and {@code invokeAll} create their
 * futures with {@link #newTaskFor}, on the submitting thread, which is where the context is
 * captured; the futures are {@link TrackedFutureTask}s, plain {@code FutureTask}s as every
 * {@code AbstractExecutorService} (and so every {@code ThreadPoolExecutor}) returns. They are
 * handed to the delegate's {@code execute}, so {@code shutdownNow()} finds them in the delegate's
 * queue and returns the very futures the callers hold.
 *
 * <p>{@code invokeAny} is written out here rather than inherited: the inherited one wraps each
 * future in a private {@code ExecutorCompletionService} future before calling {@link #execute},
 * which would capture every task a second time.
 */
class PropagatingExecutorService extends AbstractExecutorService {
    final ExecutorService delegate;
    /** The resource type of tasks given to execute, submit, invokeAll and invokeAny. */
    final String type;

    PropagatingExecutorService(ExecutorService delegate) {
        this.delegate = delegate;
        this.type = delegate instanceof ForkJoinPool ? AsyncOperation.FORK_JOIN_TASK : AsyncOperation.EXECUTOR;
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return newTask(callable, null);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return newTask(Executors.callable(runnable, value), null);
    }

    private <T> TrackedFutureTask<T> newTask(Callable<T> callable, BlockingQueue<Future<T>> completions) {
        return new TrackedFutureTask<>(Bound.callable(callable, type, AsyncOperation.FINISH_EXTERNALLY), completions);
    }

    @Override
    public void execute(Runnable command) {
        if (command instanceof TrackedFutureTask) {
            // Made by newTaskFor, already bound to its submitter's context.
            dispatch((TrackedFutureTask<?>) command);
        } else {
            PropagatingExecutor.execute(delegate, command, type);
        }
    }

    private void dispatch(TrackedFutureTask<?> task) {
        try {
            delegate.execute(task);
        } catch (RuntimeException | Error e) {
            task.rejected();
            throw e;
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, false, 0);
        } catch (TimeoutException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return invokeAny(tasks, true, unit.toNanos(timeout));
    }

    /**
     * The contract of {@link ExecutorService#invokeAny}, with the strategy of
     * {@code AbstractExecutorService}: start one task, and start the next only while none has
     * finished yet, so a small pool is not flooded; cancel the rest once one succeeds.
     */
    private <T> T invokeAny(Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(tasks, "tasks");
        int notStarted = tasks.size();
        if (notStarted == 0) {
            throw new IllegalArgumentException("tasks is empty");
        }
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        BlockingQueue<Future<T>> completions = new LinkedBlockingQueue<>();
        List<TrackedFutureTask<T>> started = new ArrayList<>(notStarted);
        Iterator<? extends Callable<T>> it = tasks.iterator();
        try {
            ExecutionException failure = null;
            int running = 0;
            while (true) {
                Future<T> done = completions.poll();
                if (done == null) {
                    if (notStarted > 0) {
                        notStarted--;
                        TrackedFutureTask<T> task = newTask(Objects.requireNonNull(it.next(), "task"), completions);
                        started.add(task);
                        dispatch(task);
                        running++;
                        continue;
                    }
                    if (running == 0) {
                        break;
                    }
                    if (timed) {
                        done = completions.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        if (done == null) {
                            throw new TimeoutException();
                        }
                    } else {
                        done = completions.take();
                    }
                }
                running--;
                try {
                    return done.get();
                } catch (ExecutionException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new ExecutionException(e);
                }
            }
            throw failure != null ? failure : new ExecutionException("no task completed", null);
        } finally {
            for (TrackedFutureTask<T> task : started) {
                task.cancel(true);
            }
        }
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    /**
     * Returns the tasks that never started, as the caller gave them: the {@code Runnable} passed
     * to {@code execute}, the {@code Future} returned by {@code submit}; never a wrapper.
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> pending = delegate.shutdownNow();
        List<Runnable> unwrapped = new ArrayList<>(pending.size());
        for (Runnable task : pending) {
            // Never started and now out of the executor: the resource ends here. (A caller who
            // runs a returned future anyway still runs it in its captured context.)
            if (task instanceof Bound.Task) {
                ((Bound.Task) task).finish();
            } else if (task instanceof TrackedFutureTask) {
                ((TrackedFutureTask<?>) task).rejected();
            }
            unwrapped.add((Runnable) Bound.unwrap(task));
        }
        return unwrapped;
    }

    @Override
    public boolean isShutdown() {
        return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.awaitTermination(timeout, unit);
    }

    /**
     * Closes the delegate as its own {@code close()} would (Java 19+ {@code ExecutorService} is
     * {@code AutoCloseable}); on older executors, shuts down and waits for termination.
     */
    public void close() {
        if (delegate instanceof AutoCloseable) {
            try {
                ((AutoCloseable) delegate).close();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        boolean interrupted = false;
        delegate.shutdown();
        while (!delegate.isTerminated()) {
            try {
                delegate.awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    delegate.shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "AsyncExecutors.wrap(" + delegate + ")";
    }
}
