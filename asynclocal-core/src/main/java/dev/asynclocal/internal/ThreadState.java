package dev.asynclocal.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one thread is running in: its current {@link Frame} and the async ids of the resource whose
 * callback is running on it.
 *
 * <p>This is the single thread-local of the library. Switching context writes the {@link #frame}
 * field of the thread's own state object, which is cheaper than {@code ThreadLocal.set} and keeps
 * every capture and restore at one reference read and one reference write, however many
 * {@code AsyncLocalStorage} instances exist. Only the owning thread ever reads or writes a state
 * object, so no field needs to be volatile.
 */
public final class ThreadState {
    /** Execution id of code that runs outside any async resource, as at Node's top level. */
    public static final long TOP_LEVEL_ID = 1;

    /** What {@code executionAsyncResource()} returns outside any async resource. */
    public static final Object TOP_LEVEL_RESOURCE = new Object() {
        @Override
        public String toString() {
            return "AsyncResource[top-level]";
        }
    };

    private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::new);

    private static final VarHandle FRAME;

    static {
        try {
            FRAME = MethodHandles.lookup().findVarHandle(ThreadState.class, "frame", Frame.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The current context. Read and written by the owning thread only. */
    public Frame frame = Frame.EMPTY;

    public long executionAsyncId = TOP_LEVEL_ID;
    public long triggerAsyncId = 0;
    public Object executionAsyncResource = TOP_LEVEL_RESOURCE;

    /**
     * While greater than zero, the code the agent adds to JDK classes captures nothing on this
     * thread: work started here is infrastructure, not a continuation of the current context (a
     * pool starting its own worker thread, the library starting its daemon threads). The agent's
     * generated code reads and writes this: keep the name and type.
     */
    public int captureSuppressed;

    /** Depth of hook dispatches on this thread, and the hook set the outermost one started with. */
    int dispatchDepth;
    HookSink[] dispatchHooks;
    /** Events dispatched inside the current outermost dispatch (bounded, see Hooks). */
    int nestedDispatches;

    private ThreadState() {
    }

    /** The calling thread's state. The agent's generated code calls this: keep the signature. */
    public static ThreadState current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code action} with {@link #captureSuppressed} raised, so that a thread it starts (here
     * or inside the JDK, as {@code Cleaner.create} does) does not inherit the caller's context
     * when the agent is installed. Without the agent this is just {@code action.get()}.
     *
     * @param action what to run, typically the creation of a long-lived daemon thread
     * @param <T> the result type
     * @return what {@code action} returned
     */
    public static <T> T uncaptured(java.util.function.Supplier<T> action) {
        ThreadState state = CURRENT.get();
        state.captureSuppressed++;
        try {
            return action.get();
        } finally {
            state.captureSuppressed--;
        }
    }

    /**
     * This state's frame, read from a thread that does not own it (the JUnit extension checking
     * the pool threads a test used). The owner writes the field plainly, so this can return a
     * value that is slightly out of date; the acquire read at least stops the compiler from
     * hoisting it out of a polling loop. Diagnostics only.
     *
     * @return the frame last written by the owning thread, as far as this thread can see
     */
    public Frame frameSeenFromAnotherThread() {
        return (Frame) FRAME.getAcquire(this);
    }

    /** The calling thread's current frame. The agent's generated code calls this: keep the signature. */
    public static Frame currentFrame() {
        return CURRENT.get().frame;
    }
}
