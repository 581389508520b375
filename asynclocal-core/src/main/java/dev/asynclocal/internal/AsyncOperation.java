package dev.asynclocal.internal;

import dev.asynclocal.internal.diagnostics.InheritedContexts;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;

/**
 * The context of one asynchronous operation (a task submitted, a stage registered, a timer
 * scheduled, a thread started), captured where the operation is created, and the protocol that
 * runs its callback in it later, on any thread:
 * <pre>{@code
 * Object saved = operation.enter();
 * try {
 *     callback();
 * } finally {
 *     operation.exit(saved);
 * }
 * }</pre>
 * With no hook enabled at capture, it is just the frame (the {@link Bound} wrappers extend this
 * class, so a propagated hop is one small object). With a hook, it is also an async resource: an
 * id, {@code init} at {@link #announce}, {@code before}/{@code after} around each run through
 * {@link ResourceScope}, and {@code destroy} once, when {@link #finish()}ed or, failing that, when
 * garbage-collected ({@link GcDestroy}). A small lock-free state machine puts {@code destroy} after
 * the last run in progress (a cancel racing with the task); see docs/design.md.
 */
public class AsyncOperation {
    /** Type of tasks given to an executor. */
    public static final String EXECUTOR = "Executor";
    /** Type of tasks given to a {@code ScheduledExecutorService}'s {@code schedule*} methods. */
    public static final String SCHEDULED_TASK = "ScheduledTask";
    /** Type of tasks given to a {@code ForkJoinPool}. */
    public static final String FORK_JOIN_TASK = "ForkJoinTask";
    /** Type of dependent stages of a {@code CompletableFuture}. */
    public static final String COMPLETABLE_FUTURE = "CompletableFuture";
    /** Type of threads started with a captured context. */
    public static final String THREAD = "Thread";
    /** Type of {@code java.util.TimerTask}s. */
    public static final String TIMER_TASK = "TimerTask";
    /** A completion handler of an asynchronous channel operation (read, write, connect, accept, lock). */
    public static final String COMPLETION_HANDLER = "CompletionHandler";
    /** The subscriber of a {@code SubmissionPublisher} subscription, whose signals it receives. */
    public static final String SUBSCRIPTION = "Subscription";

    /** The operation is finished for good only when someone calls {@link #finish()}. */
    public static final int FINISH_EXTERNALLY = 0;
    /** A one-shot operation: finished once its callback has run, whether it returned or threw. */
    public static final int FINISH_AFTER_RUN = 1;
    /** A repeating operation (a periodic task): finished when a run throws, or by {@link #finish()}. */
    public static final int FINISH_ON_FAILURE = 2;

    private static final int FINISHED = -1;
    private static final int FINISH_REQUESTED = 1 << 30;

    /** The captured frame as the thread state stores it: {@code null} for the empty context. */
    private final Frame frame;
    /**
     * The async-resource side, {@code null} when no hook was enabled at capture: then this is a
     * pure frame swap, and the capture is just the frame reference (and its subclass's callback),
     * which keeps a propagated hop at one small object.
     */
    private final Resource resource;

    /**
     * Captures the calling thread's context. Subclasses call {@link #announce} once their own
     * fields are set, before handing the capture to another thread.
     *
     * @param type the resource type hooks will see, e.g. {@link #EXECUTOR}
     * @param ending when the operation is finished for good: {@link #FINISH_EXTERNALLY},
     *     {@link #FINISH_AFTER_RUN} or {@link #FINISH_ON_FAILURE}
     */
    protected AsyncOperation(String type, int ending) {
        this.frame = ThreadState.frame();
        this.resource = Hooks.anyEnabled()
                ? new Resource(type, (byte) ending, Hooks.newAsyncId(), ThreadState.executionAsyncId(ThreadState.state()))
                : null;
    }

    /**
     * Captures the calling thread's context for an operation whose callback the caller will run
     * with {@link #enter}/{@link #exit}, and announces it.
     *
     * @param type the resource type hooks will see
     * @param ending when the operation is finished for good
     * @return the capture, announced
     */
    public static AsyncOperation capture(String type, int ending) {
        AsyncOperation capture = new AsyncOperation(type, ending);
        capture.announce();
        return capture;
    }

    /**
     * Emits {@code init} if this capture is an async resource (a hook was enabled at capture),
     * with this object as the resource, and registers it for a destroy on garbage collection if a
     * hook handling {@code destroy} is enabled. Call once, on the capturing thread, right after
     * construction.
     */
    protected final void announce() {
        Resource r = resource;
        if (r != null) {
            if (Hooks.anyDestroyListener()) {
                r.cleanable = GcDestroy.watch(this, r.asyncId, r.type);
            }
            Hooks.emitInit(ThreadState.state(), r.asyncId, r.type, r.triggerAsyncId, this);
        }
    }

    /**
     * Installs the captured context on the calling thread and returns what {@link #exit} needs to
     * restore the thread's own. With ids, also makes this the executing resource and emits
     * {@code before}.
     *
     * @return the token to pass to {@link #exit}: the previous frame, or (with ids) a record of it
     */
    public final Object enter() {
        if (InheritedContexts.WATCHING) {
            InheritedContexts.entering(ThreadState.frame(), frame);
        }
        if (resource == null) {
            // The hot path: one read and at most one write of the thread's own state.
            return ThreadState.enter(frame);
        }
        return enterAsResource();
    }

    /**
     * Restores what the thread had before the matching {@link #enter}; with ids, emits
     * {@code after} first. Call in a {@code finally}.
     *
     * @param saved what {@code enter} returned
     */
    public final void exit(Object saved) {
        if (resource == null) {
            ThreadState.exit((Frame) saved);
            return;
        }
        exitAsResource((ResourceScope) saved);
    }

    private Object enterAsResource() {
        Resource r = resource;
        boolean traced = r.beginRun();
        try {
            return ResourceScope.enter(ThreadState.state(), r.asyncId, r.triggerAsyncId, this, r.type, frame, traced);
        } catch (Throwable e) {
            if (traced) {
                r.endRun();
            }
            throw e;
        }
    }

    private void exitAsResource(ResourceScope outer) {
        Resource r = resource;
        try {
            outer.exit(ThreadState.state(), r.asyncId, r.type);
        } finally {
            if (outer.emits()) {
                r.endRun();
            }
        }
    }

    /**
     * Tells the capture that one run of its callback ended, after {@link #exit}; applies the
     * ending given at construction.
     *
     * @param threw whether the callback threw
     */
    protected final void runEnded(boolean threw) {
        Resource r = resource;
        if (r != null && (r.ending == FINISH_AFTER_RUN || (threw && r.ending == FINISH_ON_FAILURE))) {
            r.finish();
        }
    }

    /**
     * Marks the operation finished for good (it ran for the last time, was cancelled or rejected):
     * {@code destroy} is queued once, after any run in progress has exited. Does nothing without
     * ids, and nothing the second time.
     */
    public final void finish() {
        Resource r = resource;
        if (r != null) {
            r.finish();
        }
    }

    /**
     * For a stage of a future: emits {@code promiseResolve} (the stage's future completed), then
     * {@link #finish()}. Does nothing without ids, or once finished.
     */
    public final void resolved() {
        Resource r = resource;
        if (r != null && r.phase != FINISHED) {
            Hooks.emitPromiseResolve(ThreadState.state(), r.asyncId, r.type);
            r.finish();
        }
    }

    /**
     * Whether a hook was enabled at capture, making this an async resource with an id.
     *
     * @return {@code true} if this capture emits hook events
     */
    public final boolean isResource() {
        return resource != null;
    }

    /**
     * The async id, {@code 0} when no hook was enabled at capture.
     *
     * @return the id
     */
    public final long asyncId() {
        Resource r = resource;
        return r == null ? 0 : r.asyncId;
    }

    /**
     * The resource type hooks see, e.g. {@link #EXECUTOR}; {@code null} when no hook was enabled
     * at capture (a pure frame swap keeps no type).
     *
     * @return the type, or {@code null}
     */
    public final String type() {
        Resource r = resource;
        return r == null ? null : r.type;
    }

    @Override
    public String toString() {
        Resource r = resource;
        return r == null ? "Capture" : "AsyncOperation[" + r.type + ", asyncId=" + r.asyncId + "]";
    }

    /**
     * The async-resource side of a capture made while a hook was enabled: its ids, how it ends,
     * and the destroy state machine ({@code phase}: the number of runs in progress, plus
     * {@link #FINISH_REQUESTED}; or {@link #FINISHED}).
     */
    private static final class Resource {
        private static final VarHandle PHASE;

        static {
            try {
                PHASE = MethodHandles.lookup().findVarHandle(Resource.class, "phase", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final String type;
        final byte ending;
        final long asyncId;
        final long triggerAsyncId;
        /** Set by {@link AsyncOperation#announce} before the capture is published; null unless tracked for GC. */
        Cleaner.Cleanable cleanable;
        volatile int phase;

        Resource(String type, byte ending, long asyncId, long triggerAsyncId) {
            this.type = type;
            this.ending = ending;
            this.asyncId = asyncId;
            this.triggerAsyncId = triggerAsyncId;
        }

        void finish() {
            while (true) {
                int p = phase;
                if (p == FINISHED || (p & FINISH_REQUESTED) != 0) {
                    return;
                }
                if (p == 0) {
                    if (PHASE.compareAndSet(this, 0, FINISHED)) {
                        destroy();
                        return;
                    }
                } else if (PHASE.compareAndSet(this, p, p | FINISH_REQUESTED)) {
                    return;
                }
            }
        }

        /** Whether a run may emit before/after: false once the resource is finished. */
        boolean beginRun() {
            while (true) {
                int p = phase;
                if (p == FINISHED) {
                    return false;
                }
                if (PHASE.compareAndSet(this, p, p + 1)) {
                    return true;
                }
            }
        }

        void endRun() {
            while (true) {
                int p = phase;
                int next = p - 1;
                if (next == FINISH_REQUESTED) {
                    if (PHASE.compareAndSet(this, p, FINISHED)) {
                        destroy();
                        return;
                    }
                } else if (PHASE.compareAndSet(this, p, next)) {
                    return;
                }
            }
        }

        private void destroy() {
            Cleaner.Cleanable registered = cleanable;
            if (registered != null) {
                registered.clean(); // runs GcDestroy now, once, and stops tracking this capture
            } else {
                Hooks.queueDestroy(asyncId, type);
            }
        }
    }
}
