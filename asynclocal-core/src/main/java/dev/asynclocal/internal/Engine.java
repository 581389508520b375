package dev.asynclocal.internal;

import dev.asynclocal.internal.diagnostics.InheritedContexts;
import dev.asynclocal.internal.diagnostics.ScopeEntries;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The context engine as the library's other modules see it: the one type of {@code internal}
 * that the agent, the JUnit extension and the Kotlin module may use (a test in this module fails
 * when any other module imports another one). Everything here is a one-line delegation, so the
 * engine behind it can change freely as long as these signatures hold.
 *
 * <p>Frames, captures and thread states are handed out as opaque {@code Object}s: callers keep
 * them and give them back, and never look inside. The switch protocol is the same for all of
 * them:
 * <pre>{@code
 * Object previous = Engine.enter(frame);          // or Engine.enterCapture(capture)
 * try {
 *     callback();
 * } finally {
 *     Engine.exit(previous);                      // or Engine.exitCapture(capture, previous)
 * }
 * }</pre>
 */
public final class Engine {
    /** Resource type of tasks given to an executor. */
    public static final String EXECUTOR = AsyncOperation.EXECUTOR;
    /** Resource type of tasks given to a {@code ScheduledExecutorService}'s {@code schedule*} methods. */
    public static final String SCHEDULED_TASK = AsyncOperation.SCHEDULED_TASK;
    /** Resource type of tasks given to a {@code ForkJoinPool}. */
    public static final String FORK_JOIN_TASK = AsyncOperation.FORK_JOIN_TASK;
    /** Resource type of dependent stages of a {@code CompletableFuture}. */
    public static final String COMPLETABLE_FUTURE = AsyncOperation.COMPLETABLE_FUTURE;
    /** Resource type of threads started with a captured context. */
    public static final String THREAD = AsyncOperation.THREAD;
    /** Resource type of {@code java.util.TimerTask}s. */
    public static final String TIMER_TASK = AsyncOperation.TIMER_TASK;
    /** Resource type of completion handlers of asynchronous channel operations. */
    public static final String COMPLETION_HANDLER = AsyncOperation.COMPLETION_HANDLER;
    /** Resource type of a {@code SubmissionPublisher} subscriber's signals. */
    public static final String SUBSCRIPTION = AsyncOperation.SUBSCRIPTION;

    /** The operation is finished for good only when someone calls {@link #finish}. */
    public static final int FINISH_EXTERNALLY = AsyncOperation.FINISH_EXTERNALLY;
    /** A one-shot operation: finished once its callback has run. */
    public static final int FINISH_AFTER_RUN = AsyncOperation.FINISH_AFTER_RUN;
    /** A repeating operation: finished when a run throws, or by {@link #finish}. */
    public static final int FINISH_ON_FAILURE = AsyncOperation.FINISH_ON_FAILURE;

    private Engine() {
    }

    /**
     * Marks a task or callback that capturing code must pass through unchanged: one that already
     * runs in the context it was made in without being a capture itself, or library plumbing that
     * is no operation of the user's. Capturing it again would make one operation two async
     * resources.
     */
    public interface PassThrough {
    }

    // ---- frames -----------------------------------------------------------------------------

    /** @return the calling thread's current frame (opaque; the empty context is a frame too) */
    public static Object frame() {
        return ThreadState.frame();
    }

    /** @return the frame of the empty context */
    public static Object emptyFrame() {
        return Frame.EMPTY;
    }

    /**
     * Makes {@code frame} the calling thread's current frame.
     *
     * @param frame a frame from {@link #frame}
     * @return the previous frame, for {@link #exit}
     */
    public static Object enter(Object frame) {
        return ThreadState.enter((Frame) frame);
    }

    /**
     * Puts back the frame {@link #enter} returned.
     *
     * @param previous what {@link #enter} returned
     */
    public static void exit(Object previous) {
        ThreadState.exit((Frame) previous);
    }

    /** @return {@code true} when the calling thread runs outside any context */
    public static boolean inEmptyContext() {
        return ThreadState.isEmpty();
    }

    /**
     * @param frame a frame
     * @param other another frame
     * @return whether {@code frame} holds every entry of {@code other}
     */
    public static boolean carries(Object frame, Object other) {
        return ((Frame) frame).carries((Frame) other);
    }

    // ---- captures: one asynchronous operation each --------------------------------------------

    /**
     * Whether code that is about to hand work to another thread should capture: the thread runs
     * in a context (or a hook wants every operation), and capturing is not suppressed here.
     *
     * @return {@code true} to capture
     */
    public static boolean shouldCapture() {
        return (!ThreadState.isEmpty() || Hooks.anyEnabled())
                && !ThreadState.captureSuppressed(ThreadState.state());
    }

    /**
     * Captures the calling thread's context for an operation whose callback the caller runs with
     * {@link #enterCapture}/{@link #exitCapture}.
     *
     * @param type the resource type hooks see
     * @param ending when the operation is finished for good, e.g. {@link #FINISH_EXTERNALLY}
     * @return the capture (opaque)
     */
    public static Object capture(String type, int ending) {
        return AsyncOperation.capture(type, ending);
    }

    /**
     * Enters a capture's context (and, with hooks, its resource).
     *
     * @param capture from {@link #capture}
     * @return the token for {@link #exitCapture}
     */
    public static Object enterCapture(Object capture) {
        return ((AsyncOperation) capture).enter();
    }

    /**
     * Leaves what {@link #enterCapture} entered.
     *
     * @param capture the capture
     * @param token what {@link #enterCapture} returned
     */
    public static void exitCapture(Object capture, Object token) {
        ((AsyncOperation) capture).exit(token);
    }

    /**
     * The operation is finished for good (ran for the last time, cancelled, rejected): destroy
     * is emitted once, after any run in progress. Does nothing for an object that is no capture.
     *
     * @param capture a capture, a bound callback, or anything else
     */
    public static void finish(Object capture) {
        if (capture instanceof AsyncOperation) {
            ((AsyncOperation) capture).finish();
        }
    }

    /**
     * For a future's stage: its future completed ({@code promiseResolve}, then finished).
     *
     * @param capture a bound callback
     */
    public static void resolved(Object capture) {
        ((AsyncOperation) capture).resolved();
    }

    /**
     * @param capture a capture
     * @return whether it is an async resource (a hook was enabled when it was made)
     */
    public static boolean isResource(Object capture) {
        return ((AsyncOperation) capture).isResource();
    }

    /**
     * @param callback any object
     * @return whether it must not be captured again: a capture, a bound callback, or a
     *     {@link PassThrough}
     */
    public static boolean passesThrough(Object callback) {
        return callback instanceof AsyncOperation || callback instanceof PassThrough;
    }

    /**
     * @param callback any object
     * @return whether it is a capture or a bound callback
     */
    public static boolean isCapture(Object callback) {
        return callback instanceof AsyncOperation;
    }

    /**
     * @param task any object
     * @return whether it is a task bound by {@link #runnable}
     */
    public static boolean isBoundTask(Object task) {
        return task instanceof Bound.Task;
    }

    /**
     * @param task a task, possibly bound
     * @return the user's own task inside a bound one, or {@code task} itself
     */
    public static Object unwrap(Object task) {
        return Bound.unwrap(task);
    }

    // ---- bound callbacks: a callback and the capture of its context, in one object -----------

    /**
     * @param task the task
     * @param type the resource type hooks see
     * @param ending when the operation is finished for good
     * @return {@code task} bound to the calling thread's context
     */
    public static Runnable runnable(Runnable task, String type, int ending) {
        return Bound.runnable(task, type, ending);
    }

    /**
     * @param task the task
     * @param type the resource type hooks see
     * @param ending when the operation is finished for good
     * @param <V> the result type
     * @return {@code task} bound to the calling thread's context
     */
    public static <V> Callable<V> callable(Callable<V> task, String type, int ending) {
        return Bound.callable(task, type, ending);
    }

    /**
     * @param fn the function
     * @param type the resource type hooks see
     * @param <T> the argument type
     * @param <R> the result type
     * @return {@code fn} bound to the calling thread's context
     */
    public static <T, R> Function<T, R> function(Function<? super T, ? extends R> fn, String type) {
        return StageCallback.bind(fn, type);
    }

    /**
     * @param fn the function
     * @param type the resource type hooks see
     * @param <T> the first argument type
     * @param <U> the second argument type
     * @param <R> the result type
     * @return {@code fn} bound to the calling thread's context
     */
    public static <T, U, R> BiFunction<T, U, R> biFunction(BiFunction<? super T, ? super U, ? extends R> fn,
            String type) {
        return StageCallback.bind(fn, type);
    }

    /**
     * @param action the action
     * @param type the resource type hooks see
     * @param <T> the argument type
     * @return {@code action} bound to the calling thread's context
     */
    public static <T> Consumer<T> consumer(Consumer<? super T> action, String type) {
        return StageCallback.bind(action, type);
    }

    /**
     * @param action the action
     * @param type the resource type hooks see
     * @param <T> the first argument type
     * @param <U> the second argument type
     * @return {@code action} bound to the calling thread's context
     */
    public static <T, U> BiConsumer<T, U> biConsumer(BiConsumer<? super T, ? super U> action, String type) {
        return StageCallback.bind(action, type);
    }

    /**
     * @param supplier the supplier
     * @param type the resource type hooks see
     * @param <T> the result type
     * @return {@code supplier} bound to the calling thread's context
     */
    public static <T> Supplier<T> supplier(Supplier<? extends T> supplier, String type) {
        return StageCallback.bind(supplier, type);
    }

    /**
     * @param handler the completion handler
     * @param type the resource type hooks see
     * @param <V> the result type
     * @param <A> the attachment type
     * @return {@code handler} bound to the calling thread's context, finished after its one call
     */
    public static <V, A> CompletionHandler<V, A> completionHandler(CompletionHandler<V, ? super A> handler,
            String type) {
        return Bound.completionHandler(handler, type);
    }

    // ---- the thread: capture suppression, inherited contexts ---------------------------------

    /** @return the calling thread's state, for the methods below that take one */
    public static Object[] threadState() {
        return ThreadState.state();
    }

    /**
     * @param state from {@link #threadState}
     * @return whether capturing is suppressed on that thread
     */
    public static boolean captureSuppressed(Object[] state) {
        return ThreadState.captureSuppressed(state);
    }

    /**
     * Stops capturing on the thread until the matching {@link #resumeCapture}; calls nest.
     *
     * @param state from {@link #threadState}
     */
    public static void suppressCapture(Object[] state) {
        ThreadState.suppressCapture(state);
    }

    /**
     * Ends one {@link #suppressCapture}.
     *
     * @param state the state given to {@link #suppressCapture}
     */
    public static void resumeCapture(Object[] state) {
        ThreadState.resumeCapture(state);
    }

    /** A new thread makes the context it was started in its provisional, inherited one. */
    public static void inherit() {
        ThreadState.inherit();
    }

    /** The thread's {@code run()} ended: it keeps no inherited context. */
    public static void forgetInherited() {
        ThreadState.forgetInherited();
    }

    /**
     * The thread is about to wait for work: it lets go of its inherited context if it still runs
     * in it (and the context-loss detector hears of it).
     *
     * @return {@code true} if something was released
     */
    public static boolean releaseInherited() {
        if (ThreadState.releaseInherited()) {
            InheritedContexts.released();
            return true;
        }
        return false;
    }

    // ---- watching enterWith/withScope (the JUnit extension) -----------------------------------

    /**
     * Told of every {@code enterWith} and {@code withScope}, on the thread that made it, with the
     * frames before and after: {@code entered(storage, store, threadState, previous, installed,
     * isWithScope)}.
     */
    public interface ScopeListener extends ScopeEntries.Listener {
    }

    /**
     * Installs the one listener, or removes it with {@code null}. While one is installed, frame
     * switches are also recorded where other threads can read them ({@link #frameSeenFromAnotherThread}).
     *
     * @param listener the listener, or {@code null}
     * @return the previous listener (compare by identity)
     */
    public static Object installScopeListener(ScopeListener listener) {
        return ScopeEntries.install(listener);
    }

    /** @return the installed listener, or {@code null} (compare by identity) */
    public static Object scopeListener() {
        return ScopeEntries.listener();
    }

    /**
     * @param state another thread's state
     * @return that thread's frame as of its last switch while a listener was installed
     */
    public static Object frameSeenFromAnotherThread(Object[] state) {
        return ThreadState.frameSeenFromAnotherThread(state);
    }
}
