package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * What the agent adds to {@code ForkJoinPool} and {@code ForkJoinTask}.
 *
 * <p>A {@code ForkJoinTask} must stay itself: {@code fork()} returns it, {@code join()} reads its
 * result, the pool and the task's own code compare it by identity. So the capture made where a
 * task is forked or submitted goes into a side table keyed by the task ({@link WeakIdentityMap});
 * {@code ForkJoinTask.doExec()}, the one method every execution path of every pool goes through
 * (a worker's scan, a joiner helping, {@code invoke()} on the caller), takes it out and runs the
 * task in it. A task forked again after {@code reinitialize()} is captured again. A plain
 * {@code Runnable} or {@code Callable} given to the pool is wrapped instead, as an executor
 * would: the pool adapts it into a task of its own anyway.
 *
 * <p>The pool that schedules virtual threads is recognised by its thread factory and never
 * captures: a virtual thread carries its context in its own thread state, and the continuation
 * the scheduler runs is not a task of the user's.
 */
public final class ForkJoinSupport {
    private static final WeakIdentityMap<ForkJoinTask<?>, Object> PENDING = new WeakIdentityMap<>();

    private ForkJoinSupport() {
    }

    /**
     * {@code ForkJoinTask.fork()} is starting: captures for {@code task} unless it already has a
     * capture waiting (a nested entry point).
     *
     * @param task the task being forked
     * @param type the resource type
     */
    public static void forked(ForkJoinTask<?> task, String type) {
        if (Propagation.capturing()) {
            capture(task, type);
        }
    }

    /**
     * A pool method is given {@code task}.
     *
     * @param pool the pool
     * @param task the task
     * @param type the resource type
     */
    public static void submitted(ForkJoinPool pool, ForkJoinTask<?> task, String type) {
        if (task != null && Propagation.capturing() && !isVirtualThreadScheduler(pool)) {
            capture(task, type);
        }
    }

    /** A capture in the side table is finished by {@code doExec} once the task ran (or when it is collected). */
    private static void capture(ForkJoinTask<?> task, String type) {
        if (PENDING.get(task) != null) {
            return;
        }
        Object capture = Engine.capture(type, Engine.FINISH_EXTERNALLY);
        if (PENDING.putIfAbsent(task, capture) != null) {
            Engine.finish(capture); // lost a race with another entry point for the same task
        }
    }

    /**
     * A {@code Runnable} a pool method is given: a {@code ForkJoinTask} that is also a
     * {@code Runnable} keeps its identity (the pool runs it as the task it is); anything else is
     * wrapped.
     *
     * @param pool the pool
     * @param task the runnable
     * @param type the resource type
     * @param ending when a wrapper is finished (a task in the side table is finished by {@code doExec})
     * @return what the pool should use
     */
    public static Runnable runnable(ForkJoinPool pool, Runnable task, String type, int ending) {
        if (task == null || Propagation.passesThrough(task) || !Propagation.capturing()
                || isVirtualThreadScheduler(pool)) {
            return task;
        }
        if (task instanceof ForkJoinTask) {
            capture((ForkJoinTask<?>) task, type);
            return task;
        }
        return Engine.runnable(task, type, ending);
    }

    /**
     * A {@code Callable} a pool method is given.
     *
     * @param pool the pool
     * @param task the callable
     * @param type the resource type
     * @param ending when the bound callable is finished
     * @param <V> the result type
     * @return what the pool should use
     */
    public static <V> Callable<V> callable(ForkJoinPool pool, Callable<V> task, String type, int ending) {
        if (task == null || Propagation.passesThrough(task) || !Propagation.capturing()
                || isVirtualThreadScheduler(pool)) {
            return task;
        }
        return Engine.callable(task, type, ending);
    }

    /**
     * A runnable given to one of the pool's {@code schedule} methods (Java 25+).
     *
     * @param pool the pool
     * @param task the command
     * @param type the resource type
     * @param ending when the operation ends
     * @return what the pool should use
     */
    public static Runnable scheduled(ForkJoinPool pool, Runnable task, String type, int ending) {
        if (task == null || Propagation.passesThrough(task) || !Propagation.capturing()
                || isVirtualThreadScheduler(pool)) {
            return task;
        }
        return Engine.runnable(task, type, ending);
    }

    /**
     * The callables of {@code invokeAll}/{@code invokeAny}, each bound to the caller's context.
     *
     * @param pool the pool
     * @param tasks the callables
     * @param type the resource type
     * @param ending when each bound callable is finished
     * @param <T> the result type
     * @return the bound callables, or {@code tasks} itself when nothing is captured
     */
    public static <T> Collection<? extends Callable<T>> callables(ForkJoinPool pool, Collection<? extends Callable<T>> tasks,
            String type, int ending) {
        if (tasks == null || !Propagation.capturing() || isVirtualThreadScheduler(pool)) {
            return tasks;
        }
        List<Callable<T>> bound = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            bound.add(task == null || Propagation.passesThrough(task) ? task
                    : Engine.callable(task, type, ending));
        }
        return bound;
    }

    /**
     * {@code ForkJoinTask.doExec()} is starting: the capture waiting for {@code task}, taken out of
     * the side table, or {@code null}.
     *
     * @param task the task about to run
     * @return its capture, or {@code null}
     */
    public static Object take(ForkJoinTask<?> task) {
        return PENDING.isEmpty() ? null : PENDING.remove(task);
    }

    /**
     * Whether a capture is waiting for {@code task}; for tests.
     *
     * @param task a task
     * @return {@code true} if forked or submitted with a context and not run yet
     */
    public static boolean isPending(ForkJoinTask<?> task) {
        return PENDING.get(task) != null;
    }

    /**
     * The number of tasks with a capture waiting (forked or submitted in a context, not run yet,
     * not collected); for tests and diagnostics.
     *
     * @return the number of entries in the side table
     */
    public static int pendingCount() {
        return PENDING.size();
    }

    private static boolean isVirtualThreadScheduler(ForkJoinPool pool) {
        return pool.getFactory().getClass().getName().startsWith("java.lang.VirtualThread");
    }
}
