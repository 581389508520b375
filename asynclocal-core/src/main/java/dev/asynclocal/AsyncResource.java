package dev.asynclocal;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.GcDestroy;
import dev.asynclocal.internal.Hooks;
import dev.asynclocal.internal.ResourceScope;
import dev.asynclocal.internal.ThreadState;
import dev.asynclocal.internal.diagnostics.StrictMode;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An asynchronous operation of your own, made visible to {@link AsyncLocalStorage} and to
 * {@link AsyncHook}s: Node's {@code AsyncResource}, for libraries that queue callbacks and run
 * them later on their own threads.
 *
 * <p>A resource captures the current context when it is <em>constructed</em>.
 * {@link #runInAsyncScope} later runs code in that context, whatever the caller's, with
 * {@link AsyncHooks#executionAsyncId()} set to this resource's id and
 * {@link AsyncHooks#triggerAsyncId()} to the id of what triggered it; both are restored afterwards.
 * <pre>{@code
 * final class Job extends AsyncResource {
 *     private final Runnable callback;
 *     Job(Runnable callback) { super("MyQueue.Job"); this.callback = callback; }  // captures here
 *     void complete() { runInAsyncScope(callback); emitDestroy(); }               // runs there
 * }
 * }</pre>
 *
 * <p>Hook events: {@code init} when constructed (synchronously, in the constructor),
 * {@code before} and {@code after} around each {@code runInAsyncScope} ({@code after} also when
 * the code throws), and {@code destroy} once, delivered later on the library's destroy thread,
 * after {@link #emitDestroy()} or, unless manual destroy was required, after the resource became
 * unreachable (only resources created while a hook handling {@code destroy} was enabled are
 * tracked for that).
 *
 * <p>Subclasses must not expose {@code this} expecting it to be fully constructed inside an
 * {@code init} callback: as in Node, {@code init} runs during the constructor.
 */
public class AsyncResource {
    private final String type;
    private final long asyncId;
    private final long triggerAsyncId;
    private final Frame frame;
    private final DestroyOnce destroy;

    /**
     * Creates a resource whose trigger is the code running now
     * ({@link AsyncHooks#executionAsyncId()}), destroyed automatically once unreachable.
     *
     * @param type the resource's type, shown to hooks, e.g. {@code "DbQuery"}
     * @throws NullPointerException if {@code type} is {@code null}
     * @throws IllegalArgumentException if {@code type} is empty
     */
    public AsyncResource(String type) {
        this(ThreadState.state(), type, -2, false);
    }

    /**
     * Creates a resource with an explicit trigger id, destroyed automatically once unreachable.
     *
     * @param type the resource's type, shown to hooks
     * @param triggerAsyncId the id of the resource that caused this one; {@code -1} or more
     * @throws NullPointerException if {@code type} is {@code null}
     * @throws IllegalArgumentException if {@code type} is empty or {@code triggerAsyncId < -1}
     */
    public AsyncResource(String type, long triggerAsyncId) {
        this(type, triggerAsyncId, false);
    }

    /**
     * Creates a resource with an explicit trigger id (Node's {@code options}).
     *
     * @param type the resource's type, shown to hooks
     * @param triggerAsyncId the id of the resource that caused this one; {@code -1} or more
     * @param requireManualDestroy {@code true} if {@code destroy} is emitted only by
     *     {@link #emitDestroy()}, never on garbage collection
     * @throws NullPointerException if {@code type} is {@code null}
     * @throws IllegalArgumentException if {@code type} is empty or {@code triggerAsyncId < -1}
     */
    public AsyncResource(String type, long triggerAsyncId, boolean requireManualDestroy) {
        this(ThreadState.state(), type, checkTrigger(type, triggerAsyncId), requireManualDestroy);
    }

    /** For the library's own resources (snapshots): the trigger is the current execution. */
    AsyncResource(Object[] state, String type) {
        this(state, type, -2, false);
    }

    /** {@code triggerAsyncId == -2} means "the current execution id". */
    private AsyncResource(Object[] state, String type, long triggerAsyncId, boolean requireManualDestroy) {
        Objects.requireNonNull(type, "type");
        if (type.isEmpty()) {
            throw new IllegalArgumentException("type must not be empty");
        }
        this.type = type;
        this.frame = ThreadState.frame();
        this.asyncId = Hooks.newAsyncId();
        this.triggerAsyncId = triggerAsyncId == -2 ? ThreadState.executionAsyncId(state) : triggerAsyncId;
        this.destroy = new DestroyOnce(asyncId, type);
        if (Hooks.anyEnabled()) {
            if (!requireManualDestroy && Hooks.anyDestroyListener()) {
                destroy.cleanable = GcDestroy.watch(this, destroy);
            }
            Hooks.emitInit(state, asyncId, type, this.triggerAsyncId, this);
        }
    }

    private static long checkTrigger(String type, long triggerAsyncId) {
        Objects.requireNonNull(type, "type"); // report a null type first, whatever the trigger
        if (triggerAsyncId < -1) {
            throw new IllegalArgumentException("triggerAsyncId must be -1 or more, was " + triggerAsyncId);
        }
        return triggerAsyncId;
    }

    /**
     * The unique id of this resource. Ids come from one process-wide counter and increase.
     *
     * @return the async id
     */
    public long asyncId() {
        return asyncId;
    }

    /**
     * The id of the resource that caused this one: by default, the execution id current at
     * construction.
     *
     * @return the trigger async id
     */
    public long triggerAsyncId() {
        return triggerAsyncId;
    }

    /**
     * The type given at construction.
     *
     * @return the type
     */
    public String type() {
        return type;
    }

    /**
     * Runs {@code fn} in the context captured at construction, with this resource as the
     * executing resource, then restores the caller's context and ids (also when {@code fn}
     * throws). Emits {@code before} and {@code after} to enabled hooks.
     *
     * @param fn the code to run
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public void runInAsyncScope(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        inScope(fn, null);
    }

    /**
     * Like {@link #runInAsyncScope(Runnable)}, returning what {@code fn} returns; a checked
     * exception thrown by {@code fn} propagates unchanged.
     *
     * @param fn the code to run
     * @param <R> the result type
     * @param <X> the exception type {@code fn} may throw
     * @return the result of {@code fn}
     * @throws X what {@code fn} throws
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public <R, X extends Throwable> R runInAsyncScope(CallableOp<? extends R, X> fn) throws X {
        Objects.requireNonNull(fn, "fn");
        return inScope(null, fn);
    }

    /**
     * Runs one of {@code runnable} and {@code callable}. One method for both overloads, rather
     * than one adapting to the other, keeps recursion through runInAsyncScope (Node's tests go a
     * thousand levels deep) at two library frames per level instead of three.
     */
    private <R, X extends Throwable> R inScope(Runnable runnable, CallableOp<? extends R, X> callable) throws X {
        if (StrictMode.ENABLED && destroy.get()) {
            // Allowed, as in Node; but hooks then see before/after after destroy: almost always a bug.
            System.err.println("asynclocal strict mode: runInAsyncScope on " + this + " after its emitDestroy();"
                    + " hooks will see before/after for a destroyed resource");
        }
        Object[] state = ThreadState.state();
        ResourceScope scope = ResourceScope.enter(state, asyncId, triggerAsyncId, this, type, frame, true);
        try {
            if (runnable != null) {
                runnable.run();
                return null;
            }
            return callable.call();
        } finally {
            scope.exit(state, asyncId, type);
        }
    }

    /**
     * Returns {@code fn} wrapped to run through {@link #runInAsyncScope(Runnable)}: in this
     * resource's context, with its ids, each time it is called.
     *
     * @param fn the function to bind
     * @return the bound function
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public Runnable bind(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        return () -> runInAsyncScope(fn);
    }

    /**
     * Returns {@code fn} wrapped to run through {@link #runInAsyncScope(CallableOp)}.
     *
     * @param fn the function to bind
     * @param <V> the result type
     * @return the bound function
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public <V> Callable<V> bind(Callable<V> fn) {
        Objects.requireNonNull(fn, "fn");
        return () -> runInAsyncScope(fn::call);
    }

    /**
     * Binds {@code fn} to a new resource of the given type, created now.
     *
     * @param fn the function to bind
     * @param type the type of the new resource
     * @return the bound function
     * @throws NullPointerException if {@code fn} or {@code type} is {@code null}
     * @throws IllegalArgumentException if {@code type} is empty
     */
    public static Runnable bind(Runnable fn, String type) {
        Objects.requireNonNull(fn, "fn");
        return new AsyncResource(type).bind(fn);
    }

    /**
     * Binds {@code fn} to a new resource of the given type, created now.
     *
     * @param fn the function to bind
     * @param type the type of the new resource
     * @param <V> the result type
     * @return the bound function
     * @throws NullPointerException if {@code fn} or {@code type} is {@code null}
     * @throws IllegalArgumentException if {@code type} is empty
     */
    public static <V> Callable<V> bind(Callable<V> fn, String type) {
        Objects.requireNonNull(fn, "fn");
        return new AsyncResource(type).bind(fn);
    }

    /**
     * Emits {@code destroy} for this resource. The hooks receive it later, on the library's
     * destroy thread, never inside this call. Call it once, when the resource is done.
     *
     * @return this resource
     * @throws IllegalStateException if {@code emitDestroy()} was already called
     */
    public AsyncResource emitDestroy() {
        if (!destroy.markDestroyed()) {
            throw new IllegalStateException("emitDestroy() was already called for " + this);
        }
        Hooks.queueDestroy(asyncId, type);
        Cleaner.Cleanable cleanable = destroy.cleanable;
        if (cleanable != null) {
            cleanable.clean(); // unregisters; the action sees the resource destroyed and does nothing
        }
        return this;
    }

    @Override
    public String toString() {
        return "AsyncResource[type=" + type + ", asyncId=" + asyncId + ", triggerAsyncId=" + triggerAsyncId + "]";
    }

    /**
     * Destroy bookkeeping, separate from the resource so that the Cleaner's action does not keep
     * the resource reachable.
     */
    @SuppressWarnings("serial") // never serialized; extends AtomicBoolean to save an allocation
    private static final class DestroyOnce extends AtomicBoolean implements Runnable {
        private final long asyncId;
        private final String type;
        volatile Cleaner.Cleanable cleanable;

        DestroyOnce(long asyncId, String type) {
            this.asyncId = asyncId;
            this.type = type;
        }

        boolean markDestroyed() {
            return compareAndSet(false, true);
        }

        /** The Cleaner's action: the resource became unreachable without emitDestroy(). */
        @Override
        public void run() {
            if (markDestroyed()) {
                Hooks.queueDestroy(asyncId, type);
            }
        }
    }
}
