package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * What the agent adds to {@code ThreadPoolExecutor} and {@code ScheduledThreadPoolExecutor}.
 *
 * <p>{@code ThreadPoolExecutor.execute} (which {@code submit}, {@code invokeAll} and
 * {@code invokeAny} also reach) wraps the task it is given, so its queue holds wrappers. Everything
 * that hands queued tasks back to the user unwraps them: {@code shutdownNow()}, the rejection
 * handler, {@code remove(task)}, {@code purge()}, and the {@code beforeExecute}/{@code afterExecute}
 * overrides of subclasses. Only {@code getQueue()} shows the wrappers.
 *
 * <p>{@code ScheduledThreadPoolExecutor} wraps the user's command before it builds its
 * {@code ScheduledFutureTask}, so its queue, {@code remove}, {@code shutdownNow()} and
 * {@code beforeExecute} see the usual tasks; a periodic task's every run is in the context of the
 * {@code schedule*} call.
 *
 * <p>The JDK's own schedulers (the {@code CompletableFuture} timeout thread, the virtual-thread
 * unparkers) are recognised by their thread factory and never capture: their tasks are plumbing,
 * and the contexts that matter are captured elsewhere (at stage registration, at thread start).
 */
public final class ExecutorSupport {
    private ExecutorSupport() {
    }

    /**
     * The task {@code ThreadPoolExecutor.execute} should queue.
     *
     * @param task the submitted task
     * @param type the resource type (the table's)
     * @param ending when the bound task is finished (the table's)
     * @return the task bound to the submitter's context, or {@code task} itself
     */
    public static Runnable execute(Runnable task, String type, int ending) {
        return Propagation.runnable(task, type, ending);
    }

    /**
     * A task a {@code ScheduledThreadPoolExecutor} method is given.
     *
     * @param executor the executor
     * @param task the command
     * @param type the resource type: {@link Engine#EXECUTOR} for execute/submit,
     *     {@link Engine#SCHEDULED_TASK} for the schedule methods
     * @param ending {@link Engine#FINISH_AFTER_RUN}, or {@link Engine#FINISH_ON_FAILURE} for a
     *     periodic task
     * @return the command bound to the caller's context, or {@code task} itself
     */
    public static Runnable scheduled(ScheduledThreadPoolExecutor executor, Runnable task, String type, int ending) {
        if (task == null || Propagation.passesThrough(task) || !Propagation.capturing()
                || isJdkScheduler(executor)) {
            return task;
        }
        return Engine.runnable(task, type, ending);
    }

    /**
     * The callable counterpart of {@link #scheduled(ScheduledThreadPoolExecutor, Runnable, String, int)}.
     *
     * @param executor the executor
     * @param task the callable
     * @param type the resource type
     * @param ending when the bound callable is finished
     * @param <V> the result type
     * @return the callable bound to the caller's context, or {@code task} itself
     */
    public static <V> Callable<V> scheduledCallable(ScheduledThreadPoolExecutor executor, Callable<V> task, String type,
            int ending) {
        if (task == null || Propagation.passesThrough(task) || !Propagation.capturing()
                || isJdkScheduler(executor)) {
            return task;
        }
        return Engine.callable(task, type, ending);
    }

    /** Schedulers the JDK creates for itself (timeouts of futures, virtual-thread unparking). */
    private static boolean isJdkScheduler(ScheduledThreadPoolExecutor executor) {
        String factory = executor.getThreadFactory().getClass().getName();
        return factory.startsWith("java.util.concurrent.CompletableFuture$")
                || factory.startsWith("java.lang.VirtualThread");
    }

    /**
     * In {@code ThreadPoolExecutor.runWorker}, {@code task.run()} becomes this: the task runs as
     * the pool gives it (in its captured context when it has one: the wrapper installs it), and the
     * worker's own context is put back afterwards. A task submitted outside any context is not
     * wrapped, so without this an {@code enterWith} in it would stay on the worker for the next
     * such task. A call replacement in {@link TargetTable} names this method.
     *
     * @param task the task the worker runs
     */
    public static void runOnWorker(Runnable task) {
        Object saved = Engine.frame();
        try {
            task.run();
        } finally {
            Engine.exit(saved);
        }
    }

    /**
     * The user's own task inside a wrapper made by {@link #execute}, for user code that receives
     * a queued task ({@code beforeExecute}, {@code afterExecute}).
     *
     * @param task a task, possibly wrapped
     * @return the unwrapped task
     */
    public static Runnable unwrap(Runnable task) {
        return (Runnable) Engine.unwrap(task);
    }

    /**
     * The task a rejection handler should see: the user's own; a wrapper that will never run
     * ends its resource.
     *
     * @param task the rejected task, possibly wrapped
     * @return the unwrapped task
     */
    public static Runnable rejected(Runnable task) {
        if (Engine.isBoundTask(task)) {
            Engine.finish(task);
            return unwrap(task);
        }
        return task;
    }

    /**
     * The submitting thread's frame as {@code reject} starts.
     *
     * @return the current frame
     */
    public static Object callerFrame() {
        return Engine.frame();
    }

    /**
     * As {@code reject} returns or throws: puts the submitting thread's frame back. The handler
     * was given the user's own task, so a handler that runs it on this thread
     * ({@code CallerRunsPolicy}) runs it without a wrapper, and an {@code enterWith} inside would
     * otherwise outlive it.
     *
     * @param frame what {@link #callerFrame()} returned, or {@code null} if that failed
     */
    public static void restoreCaller(Object frame) {
        if (frame != null) {
            Engine.exit(frame);
        }
    }

    /**
     * After {@code remove(task)}: if the queue did not hold {@code task} itself, removes the
     * wrapper around it.
     *
     * @param executor the executor
     * @param task what the user asked to remove
     * @param removed what {@code remove} found
     * @return whether the task, or its wrapper, was removed
     */
    public static boolean removed(ThreadPoolExecutor executor, Runnable task, boolean removed) {
        if (removed || task == null || executor instanceof ScheduledThreadPoolExecutor) {
            return removed; // a scheduled executor's queue holds no wrappers
        }
        for (Runnable queued : executor.getQueue()) {
            if (Engine.isBoundTask(queued) && Engine.unwrap(queued) == task
                    && executor.getQueue().remove(queued)) {
                Engine.finish(queued);
                return true;
            }
        }
        return false;
    }

    /**
     * After {@code purge()}: removes the wrappers of cancelled futures, which {@code purge} could
     * not recognise as futures.
     *
     * @param executor the executor
     */
    public static void purged(ThreadPoolExecutor executor) {
        if (executor instanceof ScheduledThreadPoolExecutor) {
            return;
        }
        try {
            Iterator<Runnable> it = executor.getQueue().iterator();
            while (it.hasNext()) {
                Runnable queued = it.next();
                if (Engine.isBoundTask(queued)) {
                    Object task = Engine.unwrap(queued);
                    if (task instanceof Future && ((Future<?>) task).isCancelled()) {
                        it.remove();
                        Engine.finish(queued);
                    }
                }
            }
        } catch (java.util.ConcurrentModificationException e) {
            // As purge itself: a queue whose iterator is not concurrent is left as it is.
        }
    }

    /**
     * The list {@code shutdownNow()} returns, with every wrapper replaced by the user's task and
     * ended.
     *
     * @param drained the list the executor built; changed in place when possible
     * @return the list to return
     */
    public static List<Runnable> drained(List<Runnable> drained) {
        if (drained == null) {
            return null;
        }
        List<Runnable> result = drained;
        for (int i = 0; i < result.size(); i++) {
            Runnable task = result.get(i);
            if (Engine.isBoundTask(task)) {
                Engine.finish(task);
                try {
                    result.set(i, unwrap(task));
                } catch (UnsupportedOperationException e) {
                    result = new java.util.ArrayList<>(result); // a subclass returned a fixed list
                    result.set(i, unwrap(task));
                }
            }
        }
        return result;
    }

    /**
     * Entered when a pool starts creating a worker: the thread it starts is the pool's, not a
     * continuation of the submitter's context.
     *
     * @return the calling thread's state, to give to {@link #workerStarted}
     */
    public static Object[] startingWorker() {
        Object[] state = Engine.threadState();
        Engine.suppressCapture(state);
        return state;
    }

    /**
     * Pairs with {@link #startingWorker()}.
     *
     * @param state what {@code startingWorker} returned
     */
    public static void workerStarted(Object[] state) {
        Engine.resumeCapture(state);
    }
}
