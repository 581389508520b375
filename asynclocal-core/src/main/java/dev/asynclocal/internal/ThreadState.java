package dev.asynclocal.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.function.Supplier;

/**
 * What one thread is running in: its current {@link Frame}, the async resource whose callback is
 * running on it and that resource's ids, and the bookkeeping of hook dispatch. Every switch of
 * frame is {@link #enter} then {@link #exit}. Two thread-locals: the hot one holds the frame itself
 * ({@code null} for the empty context, so that an idle thread holds nothing of this library's
 * class loader), the cold one a small array with everything else. Only the owning thread writes
 * either. docs/design.md ("The thread's state") explains the layout and what it was measured
 * against.
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

    // Slots of a state.
    private static final int RESOURCE = 0;
    private static final int DISPATCH_HOOKS = 1;
    private static final int NUMBERS = 2;
    /** The frame as of the last switch made while mirroring was on; see the class comment. */
    private static final int MIRRORED_FRAME = 3;
    /** The inherited copy this thread runs in since its start, until it lets go of it; see {@link #inherit}. */
    private static final int INHERITED = 4;
    private static final int SLOTS = 5;

    // Indexes into the long[] at NUMBERS.
    private static final int EXECUTION_ID = 0;
    private static final int TRIGGER_ID = 1;
    private static final int CAPTURE_SUPPRESSED = 2;
    private static final int DISPATCH_DEPTH = 3;
    private static final int NESTED_DISPATCHES = 4;
    private static final int NUMBER_COUNT = 5;

    /** The current frame; {@code null} for the empty context. */
    private static final ThreadLocal<Frame> FRAME = new ThreadLocal<>();

    private static final ThreadLocal<Object[]> CURRENT = ThreadLocal.withInitial(ThreadState::newState);

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    /** Whether frame switches are copied into the state, for {@link #frameSeenFromAnotherThread}. */
    private static volatile boolean mirroring;

    private ThreadState() {
    }

    private static Object[] newState() {
        // The numbers come later, on first need: most threads (a virtual thread per request, say)
        // never run a callback of an async resource.
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
     * The calling thread's state, for the methods of this class that take one (ids, resources,
     * hook dispatch, capture suppression). Frame switches do not need it.
     *
     * @return the calling thread's state
     */
    public static Object[] state() {
        return CURRENT.get();
    }

    // ---- the frame: one currency, one switch protocol ------------------------------------------
    //
    // Frames are Frame objects everywhere, the empty context being Frame.EMPTY. Only the
    // thread-local stores null in its place (see the class comment). A switch is always
    //     Frame previous = ThreadState.enter(frame);
    //     try { ... } finally { ThreadState.exit(previous); }

    /**
     * The calling thread's current frame, {@link Frame#EMPTY} outside any context.
     *
     * @return the current frame, never {@code null}
     */
    public static Frame frame() {
        Frame frame = FRAME.get();
        return frame == null ? Frame.EMPTY : frame;
    }

    /**
     * Makes {@code frame} the calling thread's current frame and returns the one it replaces, to
     * hand to {@link #exit} in a {@code finally}. No write when {@code frame} is already current
     * (a callback run where it was bound), which spares the store and its GC barrier.
     *
     * @param frame the frame to run in; {@link Frame#EMPTY} for the empty context
     * @return the previous frame, never {@code null}
     */
    public static Frame enter(Frame frame) {
        Frame stored = FRAME.get();
        Frame target = frame == Frame.EMPTY ? null : frame;
        if (stored != target) {
            store(target);
        }
        return stored == null ? Frame.EMPTY : stored;
    }

    /**
     * Like {@link #enter}, into the current frame with {@code store} under {@code key}: what
     * {@code run(store, fn)} does, with one thread-local read.
     *
     * @param key the storage's key
     * @param store its store in the new frame
     * @return the previous frame, never {@code null}
     */
    public static Frame enterWithStore(FrameKey key, Object store) {
        Frame stored = FRAME.get();
        Frame previous = stored == null ? Frame.EMPTY : stored;
        store(previous.with(key, store));
        return previous;
    }

    /**
     * Like {@link #enter}, into the current frame without an entry for {@code key}: what
     * {@code exit(fn)} does.
     *
     * @param key the storage's key
     * @return the previous frame, never {@code null}
     */
    public static Frame enterWithoutStore(FrameKey key) {
        Frame stored = FRAME.get();
        Frame previous = stored == null ? Frame.EMPTY : stored;
        Frame next = previous.without(key);
        store(next == Frame.EMPTY ? null : next);
        return previous;
    }

    /**
     * Puts back the frame an {@code enter} returned, whatever the code in between did to the
     * context ({@code enterWith} included). One write and no read, as {@code run} always did;
     * a propagated callback used to compare first. Which is faster for callbacks was not
     * measured separately (docs/benchmarks.md: the redesign awaits a full run).
     *
     * @param previous what {@code enter} returned
     */
    public static void exit(Frame previous) {
        store(previous == Frame.EMPTY ? null : previous);
    }

    private static void store(Frame frame) {
        FRAME.set(frame);
        if (mirroring) {
            mirror(frame);
        }
    }

    private static void mirror(Frame frame) {
        // Weakly: a copy left behind once mirroring stops must not keep the frame (and this
        // library's class loader) alive. While it is current, the thread-local holds it anyway.
        SLOT.setRelease(CURRENT.get(), MIRRORED_FRAME, frame == null ? null : new WeakReference<>(frame));
    }

    /**
     * The calling thread's store under {@code key}, or {@link Frame#ABSENT}: what
     * {@code getStore()} reads. One thread-local read, the frame's lookup.
     *
     * @param key the storage's key
     * @return the store, or {@link Frame#ABSENT}
     */
    public static Object lookup(FrameKey key) {
        Frame frame = FRAME.get();
        return frame == null ? Frame.ABSENT : frame.get(key);
    }

    /**
     * Whether the calling thread runs in the empty context: what the agent checks before
     * capturing anything.
     *
     * @return {@code true} outside any context
     */
    public static boolean isEmpty() {
        return FRAME.get() == null;
    }

    /**
     * Turns the copying of frame switches into the states on or off (see the class comment).
     * {@link dev.asynclocal.internal.diagnostics.ScopeEntries} turns it on while a listener is installed.
     *
     * @param on whether to copy
     */
    public static void mirrorFrames(boolean on) {
        mirroring = on;
        if (on) {
            // The calling thread (a test's) is read by others too: start it off right.
            mirror(FRAME.get());
        }
    }

    /**
     * A thread's frame, read from a thread that does not own it (the JUnit extension checking the
     * pool threads a test used): the frame of the owner's last switch made while a
     * {@link dev.asynclocal.internal.diagnostics.ScopeEntries} listener was installed, as far as this thread can see it. Diagnostics
     * only.
     *
     * @param state the other thread's state (as passed to the listener)
     * @return that frame, {@link Frame#EMPTY} if none was recorded
     */
    public static Frame frameSeenFromAnotherThread(Object[] state) {
        Object mirrored = SLOT.getAcquire(state, MIRRORED_FRAME);
        Frame frame = mirrored == null ? null : (Frame) ((WeakReference<?>) mirrored).get();
        return frame == null ? Frame.EMPTY : frame;
    }

    // ---- a context inherited at thread start ---------------------------------------------------

    /**
     * Makes the current frame this thread's <em>inherited</em> context: replaces it by an
     * {@linkplain Frame#inheritedCopy inherited copy} and remembers that copy, so that
     * {@link #releaseInherited} can later tell that the thread still runs in what it inherited.
     * The agent calls this in a new thread, right after entering its starter's context, when the
     * thread inherits provisionally (see docs/agent.md, "New threads"). Nothing happens in the
     * empty context.
     */
    public static void inherit() {
        Frame frame = FRAME.get();
        if (frame == null) {
            return;
        }
        Frame copy = frame.inheritedCopy();
        CURRENT.get()[INHERITED] = copy;
        store(copy);
    }

    /**
     * The thread stops waiting to release what it inherited: called when its {@code run()} ends,
     * so that the state keeps no frame of ours once the thread is idle or gone.
     */
    public static void forgetInherited() {
        Object[] state = CURRENT.get();
        if (state[INHERITED] != null) {
            state[INHERITED] = null;
        }
    }

    /**
     * Lets go of the inherited context if the thread is still in it: the thread is about to wait
     * for work from elsewhere (a queue, a selector), so it is a worker, and nothing it runs from
     * now on belongs to the code that started it. The thread continues in the empty context. A
     * context the thread set itself ({@code run}, {@code withScope}, {@code enterWith}, even with
     * the same values), or that a task or callback brought, is a different frame and is kept.
     * One thread-local read when the thread runs outside any context; the agent calls this before
     * every such wait.
     *
     * @return {@code true} if the inherited context was released
     */
    public static boolean releaseInherited() {
        Frame frame = FRAME.get();
        if (frame == null || !frame.isInheritedCopy()) {
            return false;
        }
        Object[] state = CURRENT.get();
        if (state[INHERITED] != frame) {
            return false; // an inherited copy handed to this thread by a capture: not this thread's own
        }
        state[INHERITED] = null;
        store(null);
        return true;
    }

    /**
     * Whether {@code frame} is the context this thread inherited and still runs in. Diagnostics
     * only.
     *
     * @param frame a frame
     * @return {@code true} if it is this thread's inherited copy
     */
    public static boolean isInheritedHere(Frame frame) {
        return frame.isInheritedCopy() && CURRENT.get()[INHERITED] == frame;
    }

    // ---- the executing resource and its ids ---------------------------------------------------

    /**
     * @param state a state from {@link #state()}
     * @return the id of the resource whose callback runs, {@link #TOP_LEVEL_ID} outside any
     */
    public static long executionAsyncId(Object[] state) {
        return number(state, EXECUTION_ID, TOP_LEVEL_ID);
    }

    /**
     * @param state a state from {@link #state()}
     * @return the trigger id of the resource whose callback runs, {@code 0} outside any
     */
    public static long triggerAsyncId(Object[] state) {
        return number(state, TRIGGER_ID, 0);
    }

    /**
     * @param state a state from {@link #state()}
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
     * @param state a state from {@link #state()}
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
     * its own worker thread, the library starting its daemon threads).
     *
     * @param state a state from {@link #state()}
     * @return {@code true} while a {@link #suppressCapture} is not yet matched by its
     *     {@link #resumeCapture}
     */
    public static boolean captureSuppressed(Object[] state) {
        return number(state, CAPTURE_SUPPRESSED, 0) != 0;
    }

    /**
     * Stops capturing on this thread until the matching {@link #resumeCapture}; calls nest.
     *
     * @param state a state from {@link #state()}
     */
    public static void suppressCapture(Object[] state) {
        numbers(state)[CAPTURE_SUPPRESSED]++;
    }

    /**
     * Ends one {@link #suppressCapture}.
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
