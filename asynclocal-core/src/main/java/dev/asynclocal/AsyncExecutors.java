package dev.asynclocal;

import dev.asynclocal.internal.AsyncOperation;
import dev.asynclocal.internal.Bound;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * Executors that carry the submitter's context to their tasks, without the agent: every task
 * given to a wrapped executor runs in the {@link AsyncLocalStorage} context that was current
 * where it was <em>submitted</em>, on whatever thread the executor picks, and the thread gets its
 * own context back when the task ends.
 * <pre>{@code
 * static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>();
 * static final ExecutorService POOL = AsyncExecutors.wrap(Executors.newFixedThreadPool(8));
 *
 * REQUEST_ID.run("r-42", () ->
 *     POOL.submit(() -> log(REQUEST_ID.getStore())));   // logs "r-42", on a pool thread
 * }</pre>
 *
 * <p>The rule, for every entry point ({@code execute}, the three {@code submit}s, both
 * {@code invokeAll} and {@code invokeAny}, both {@code schedule}s, {@code scheduleAtFixedRate},
 * {@code scheduleWithFixedDelay}):
 * <ul>
 *   <li>the context is captured when the task is handed over, on the submitting thread;</li>
 *   <li>each run of the task (each run of a periodic task) sees exactly that context, whatever
 *       the thread ran before, and whether the task was submitted inside {@code run},
 *       after {@code enterWith}, or nowhere (then it sees no store, even on a thread where
 *       something else was set);</li>
 *   <li>when the task returns, throws, is cancelled or interrupted, the thread's previous context
 *       (and async ids) are restored: a pool thread never keeps a task's context, even when the
 *       task called {@link AsyncLocalStorage#enterWith}.</li>
 * </ul>
 *
 * <p>The wrapper changes nothing else. Futures complete, fail and cancel as the executor's own
 * would; a rejected task throws the executor's {@code RejectedExecutionException} unchanged (and
 * a {@code CallerRunsPolicy} runs it on the caller, in the same context); shutting down, closing
 * and awaiting termination act on the executor itself; {@code shutdownNow()} returns what the
 * callers submitted (the {@code Runnable} given to {@code execute}, the future returned by
 * {@code submit}), never a wrapper. Like every {@code AbstractExecutorService}, the wrapper's
 * {@code submit} and {@code invokeAll} return {@code FutureTask}s. Wrapping an executor that is
 * already wrapped returns it as is.
 *
 * <p>Hooks: while an {@link AsyncHook} is enabled, each submitted task is an async resource of
 * type {@code "Executor"} ({@code "ForkJoinTask"} when the executor is a
 * {@code ForkJoinPool}; {@code "ScheduledTask"} for the {@code schedule*} methods).
 * {@code init} is emitted at submission with the submitter's {@link AsyncHooks#executionAsyncId()}
 * as trigger; {@code before} and {@code after} around each run, with
 * {@link AsyncHooks#executionAsyncId()} the task's id inside; {@code destroy} once the task is
 * finished for good: after a one-shot task ran, when it is cancelled or rejected, when a periodic
 * task is cancelled through its future or a run throws. A task the executor drops silently (a
 * {@code DiscardPolicy}, periodic tasks cancelled by {@code shutdown()}) is destroyed once it has
 * been garbage-collected. The resource object hooks see is the same object
 * {@link AsyncHooks#executionAsyncResource()} returns while the task runs.
 *
 * @implNote With no hook enabled, submitting allocates one wrapper object per task (plus the
 *     {@code FutureTask} that {@code submit} allocates anyway) and reads one reference; running a
 *     task writes two. Returned scheduled futures are thin views of the executor's own.
 */
public final class AsyncExecutors {
    private AsyncExecutors() {
    }

    /**
     * Returns an executor that runs each task given to it in the context current where the task
     * was given, by handing it to {@code executor}. If {@code executor} is an
     * {@link ExecutorService} (or a {@link ScheduledExecutorService}), the result is a wrapper of
     * that kind, as {@link #wrap(ExecutorService)} returns.
     *
     * @param executor the executor that runs the tasks
     * @return the propagating executor; {@code executor} itself if it already propagates
     * @throws NullPointerException if {@code executor} is {@code null}
     */
    public static Executor wrap(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        if (executor instanceof ExecutorService) {
            return wrap((ExecutorService) executor);
        }
        if (executor instanceof PropagatingExecutor) {
            return executor;
        }
        return new PropagatingExecutor(executor, AsyncOperation.EXECUTOR);
    }

    /**
     * Returns an executor service whose every entry point runs the task in the context current
     * where it was submitted. If {@code executor} is a {@link ScheduledExecutorService}, the
     * result is one too, as {@link #wrap(ScheduledExecutorService)} returns.
     *
     * @param executor the executor service that runs the tasks
     * @return the propagating executor service; {@code executor} itself if it already propagates
     * @throws NullPointerException if {@code executor} is {@code null}
     */
    public static ExecutorService wrap(ExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        if (executor instanceof ScheduledExecutorService) {
            return wrap((ScheduledExecutorService) executor);
        }
        if (executor instanceof PropagatingExecutorService) {
            return executor;
        }
        return new PropagatingExecutorService(executor);
    }

    /**
     * Returns a scheduled executor service whose every entry point runs the task in the context
     * current where it was submitted or scheduled; every run of a periodic task sees the context
     * of the {@code scheduleAtFixedRate}/{@code scheduleWithFixedDelay} call.
     *
     * @param executor the scheduled executor service that runs the tasks
     * @return the propagating scheduled executor service; {@code executor} itself if it already
     *     propagates
     * @throws NullPointerException if {@code executor} is {@code null}
     */
    public static ScheduledExecutorService wrap(ScheduledExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        if (executor instanceof PropagatingScheduledExecutorService) {
            return executor;
        }
        return new PropagatingScheduledExecutorService(executor);
    }

    /**
     * Returns a thread factory whose threads each run in the context current where the thread
     * was <em>made</em> (where {@code newThread} was called), for factories that make one thread
     * per piece of work: the factory of a {@code StructuredTaskScope} (its forks then see the
     * context of the code that called {@code fork}, as they see its {@code ScopedValue}
     * bindings), of {@code Executors.newThreadPerTaskExecutor}, or your own per-task threads.
     * Without the agent this is how such threads inherit; with it, thread-per-task executors and
     * scopes propagate by themselves (see docs/agent.md, "New threads"), and this factory changes
     * nothing. Do not give it to a pool: a pool makes a thread once and runs many tasks on it,
     * and each of them would see the context of whatever task happened to make the thread.
     * <pre>{@code
     * try (var scope = StructuredTaskScope.open(Joiner.awaitAll(),
     *         cf -> cf.withThreadFactory(
     *                 AsyncExecutors.inheritingThreadFactory(Thread.ofVirtual().factory())))) {
     *     scope.fork(() -> log(REQUEST_ID.getStore()));   // the forker's request id
     *     scope.join();
     * }
     * }</pre>
     *
     * @param factory the factory that makes the threads
     * @return the inheriting factory
     * @throws NullPointerException if {@code factory} is {@code null}
     */
    public static ThreadFactory inheritingThreadFactory(ThreadFactory factory) {
        Objects.requireNonNull(factory, "factory");
        return runnable -> factory.newThread(
                Bound.runnable(Objects.requireNonNull(runnable, "runnable"), AsyncOperation.THREAD, AsyncOperation.FINISH_AFTER_RUN));
    }

    /** A plain executor whose tasks hooks see under {@code type}; for delayed executors. */
    static Executor wrap(Executor executor, String type) {
        return executor instanceof PropagatingExecutor ? executor : new PropagatingExecutor(executor, type);
    }
}
