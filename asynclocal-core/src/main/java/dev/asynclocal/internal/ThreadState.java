package dev.asynclocal.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

/**
 * What one thread is running in: its current {@link Frame}, the async resource whose callback is
 * running on it and that resource's ids, plus the bookkeeping of hook dispatch.
 *
 * <p>This is the single thread-local of the library. Its value is a small {@code Object[]} owned
 * by the thread (a "state"); switching context writes one slot of it, which is cheaper than
 * {@code ThreadLocal.set} and keeps every capture and restore at one read and one write, however
 * many {@code AsyncLocalStorage} instances exist. Only the owning thread ever writes a state, so
 * no slot needs to be volatile.
 *
 * <p>Why an array of JDK types rather than a class of our own: a thread outlives the library when
 * the library lives in a class loader that is thrown away (a web application redeployed on a
 * server whose pool threads stay). A thread-local value whose class is ours would keep that loader
 * reachable from every thread that ever touched it, for as long as the thread lives. So the value
 * holds only JDK objects whenever the thread runs outside any context: the empty frame and the
 * top-level resource are stored as {@code null}, the numbers live in a {@code long[]} (made on
 * first need; most threads never need one). What is
 * left on an idle thread ({@code Object[]}, {@code long[]}) pins nothing; the thread-local's key is
 * weak, so the entry goes stale once the loader is gone.
 *
 * <p>Callers get the state once with {@link #current()} and pass it to the static accessors, so a
 * hot path does one thread-local lookup.
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

    // Slots of a state. FRAME is first: it is the one the hot paths touch.
    //
    // Measured and rejected (JMH, JDK 25): a copy of the frame's first entry in two more slots,
    // so that getStore() skips one type check (2.0 instead of 2.2 ns). Every frame switch then
    // stores three references instead of one, and on G1 each reference store into this long-lived
    // array can take the post-write barrier's slow path: run() went from about 14 to 21 ns.
    private static final int FRAME = 0;
    private static final int RESOURCE = 1;
    private static final int DISPATCH_HOOKS = 2;
    private static final int NUMBERS = 3;
    private static final int SLOTS = 4;

    // Indexes into the long[] at NUMBERS.
    private static final int EXECUTION_ID = 0;
    private static final int TRIGGER_ID = 1;
    private static final int CAPTURE_SUPPRESSED = 2;
    private static final int DISPATCH_DEPTH = 3;
    private static final int NESTED_DISPATCHES = 4;
    private static final int NUMBER_COUNT = 5;

    private static final ThreadLocal<Object[]> CURRENT = ThreadLocal.withInitial(ThreadState::newState);

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    private ThreadState() {
    }

    private static Object[] newState() {
        // The numbers come later, on first need: most threads (a virtual thread per request, say)
        // only ever switch frames, and their state stays one small array.
        return new Object[SLOTS];
    }

    /** The state's numbers, made on first write; {@code null} until then means all defaults. */
    private static long[] numbers(Object[] state) {
        long[] numbers = (long[]) state[NUMBERS];
        if (numbers == null) {
            numbers = new long[NUMBER_COUNT];
            numbers[EXECUTION_ID] = TOP_LEVEL_ID;
            state[NUMBERS] = numbers;
        }
        return numbers;
    }

    private static long number(Object[] state, int index, long defaultValue) {
        long[] numbers = (long[]) state[NUMBERS];
        return numbers == null ? defaultValue : numbers[index];
    }

    /**
     * The calling thread's state: pass it to the other methods of this class. The agent's
     * generated code calls this: keep the signature.
     *
     * @return the calling thread's state
     */
    public static Object[] current() {
        return CURRENT.get();
    }

    // ---- the frame -------------------------------------------------------------------------

    /**
     * The state's current frame, as stored: a {@link Frame}, or {@code null} for the empty
     * context. For code that saves it and puts it back unchanged with {@link #restore}; anything
     * that looks into it uses {@link #frame}.
     *
     * @param state a state from {@link #current()}
     * @return the stored frame, {@code null} when empty
     */
    public static Object saved(Object[] state) {
        return state[FRAME];
    }

    /**
     * Puts back a frame obtained from {@link #saved}.
     *
     * @param state the state it was saved from
     * @param saved what {@link #saved} returned
     */
    public static void restore(Object[] state, Object saved) {
        state[FRAME] = saved;
    }

    /**
     * The calling thread's store under {@code key}, or {@link Frame#ABSENT}: what
     * {@code getStore()} reads. One thread-local lookup, one slot read, the frame's lookup.
     *
     * @param key the storage's key
     * @return the store, or {@link Frame#ABSENT}
     */
    public static Object lookup(FrameKey key) {
        Object frame = CURRENT.get()[FRAME];
        return frame == null ? Frame.ABSENT : ((Frame) frame).get(key);
    }

    /**
     * The state's current frame, {@link Frame#EMPTY} outside any context.
     *
     * @param state a state from {@link #current()}
     * @return the current frame, never {@code null}
     */
    public static Frame frame(Object[] state) {
        Object frame = state[FRAME];
        return frame == null ? Frame.EMPTY : (Frame) frame;
    }

    /**
     * Makes {@code frame} the state's current frame.
     *
     * @param state a state from {@link #current()}
     * @param frame the new frame; {@link Frame#EMPTY} (or {@code null}) for the empty context
     */
    public static void setFrame(Object[] state, Frame frame) {
        restore(state, frame == Frame.EMPTY ? null : frame);
    }

    /**
     * Converts a value from {@link #saved} to a frame, {@link Frame#EMPTY} for {@code null}.
     *
     * @param saved a stored frame or {@code null}
     * @return the frame
     */
    public static Frame frameOf(Object saved) {
        return saved == null ? Frame.EMPTY : (Frame) saved;
    }

    /**
     * Whether the state runs in the empty context. The agent's generated code calls this to skip
     * capturing: keep the signature.
     *
     * @param state a state from {@link #current()}
     * @return {@code true} outside any context
     */
    public static boolean isEmpty(Object[] state) {
        return state[FRAME] == null;
    }

    /** The calling thread's current frame. The agent's generated code calls this: keep the signature. */
    public static Frame currentFrame() {
        return frame(CURRENT.get());
    }

    /**
     * A state's frame, read from a thread that does not own it (the JUnit extension checking the
     * pool threads a test used). The owner writes the slot plainly, so this can return a value
     * that is slightly out of date; the acquire read at least stops the compiler from hoisting it
     * out of a polling loop. Diagnostics only.
     *
     * @param state another thread's state
     * @return the frame last written by the owning thread, as far as this thread can see
     */
    public static Frame frameSeenFromAnotherThread(Object[] state) {
        return frameOf(SLOT.getAcquire(state, FRAME));
    }

    // ---- the executing resource and its ids ---------------------------------------------------

    /**
     * @param state a state from {@link #current()}
     * @return the id of the resource whose callback runs, {@link #TOP_LEVEL_ID} outside any
     */
    public static long executionAsyncId(Object[] state) {
        return number(state, EXECUTION_ID, TOP_LEVEL_ID);
    }

    /**
     * @param state a state from {@link #current()}
     * @return the trigger id of the resource whose callback runs, {@code 0} outside any
     */
    public static long triggerAsyncId(Object[] state) {
        return number(state, TRIGGER_ID, 0);
    }

    /**
     * @param state a state from {@link #current()}
     * @return the resource whose callback runs, {@link #TOP_LEVEL_RESOURCE} outside any
     */
    public static Object executionAsyncResource(Object[] state) {
        Object resource = state[RESOURCE];
        return resource == null ? TOP_LEVEL_RESOURCE : resource;
    }

    /**
     * Makes {@code resource} the executing resource, with its ids. To put back what was there,
     * read it first with {@link #executionAsyncId}, {@link #triggerAsyncId} and
     * {@link #executionAsyncResource} and pass those here.
     *
     * @param state a state from {@link #current()}
     * @param asyncId the resource's id
     * @param triggerAsyncId the resource's trigger id
     * @param resource the resource; {@link #TOP_LEVEL_RESOURCE} for none
     */
    public static void enterResource(Object[] state, long asyncId, long triggerAsyncId, Object resource) {
        long[] numbers = (long[]) state[NUMBERS];
        if (numbers == null) {
            if (asyncId == TOP_LEVEL_ID && triggerAsyncId == 0 && resource == TOP_LEVEL_RESOURCE) {
                return; // already so
            }
            numbers = numbers(state);
        }
        numbers[EXECUTION_ID] = asyncId;
        numbers[TRIGGER_ID] = triggerAsyncId;
        // The sentinel is ours: an idle thread keeps null instead (see the class comment).
        state[RESOURCE] = resource == TOP_LEVEL_RESOURCE ? null : resource;
    }

    // ---- capture suppression (the agent) ------------------------------------------------------

    /**
     * Whether the code the agent adds to JDK classes must capture nothing on this thread: work
     * started here is infrastructure, not a continuation of the current context (a pool starting
     * its own worker thread, the library starting its daemon threads). The agent's generated code
     * calls this: keep the signature.
     *
     * @param state a state from {@link #current()}
     * @return {@code true} while a {@link #suppressCapture} is not yet matched by its
     *     {@link #resumeCapture}
     */
    public static boolean captureSuppressed(Object[] state) {
        return number(state, CAPTURE_SUPPRESSED, 0) != 0;
    }

    /**
     * Stops capturing on this thread until the matching {@link #resumeCapture}; calls nest. The
     * agent's generated code calls this: keep the signature.
     *
     * @param state a state from {@link #current()}
     */
    public static void suppressCapture(Object[] state) {
        numbers(state)[CAPTURE_SUPPRESSED]++;
    }

    /**
     * Ends one {@link #suppressCapture}. The agent's generated code calls this: keep the signature.
     *
     * @param state the state given to {@link #suppressCapture}
     */
    public static void resumeCapture(Object[] state) {
        numbers(state)[CAPTURE_SUPPRESSED]--;
    }

    /**
     * Runs {@code action} with capture suppressed, so that a thread it starts (here or inside the
     * JDK, as {@code Cleaner.create} does) does not inherit the caller's context when the agent is
     * installed. Without the agent this is just {@code action.get()}.
     *
     * @param action what to run, typically the creation of a long-lived daemon thread
     * @param <T> the result type
     * @return what {@code action} returned
     */
    public static <T> T uncaptured(Supplier<T> action) {
        Object[] state = CURRENT.get();
        suppressCapture(state);
        try {
            return action.get();
        } finally {
            resumeCapture(state);
        }
    }

    // ---- hook dispatch bookkeeping (Hooks) ------------------------------------------------------

    static int dispatchDepth(Object[] state) {
        return (int) number(state, DISPATCH_DEPTH, 0);
    }

    static void dispatchDepth(Object[] state, int depth) {
        numbers(state)[DISPATCH_DEPTH] = depth;
    }

    static HookSink[] dispatchHooks(Object[] state) {
        return (HookSink[]) state[DISPATCH_HOOKS];
    }

    static void dispatchHooks(Object[] state, HookSink[] hooks) {
        state[DISPATCH_HOOKS] = hooks;
    }

    /** Events dispatched inside the current outermost dispatch (bounded, see Hooks). */
    static long nestedDispatches(Object[] state) {
        return number(state, NESTED_DISPATCHES, 0);
    }

    static void nestedDispatches(Object[] state, long count) {
        numbers(state)[NESTED_DISPATCHES] = count;
    }
}
