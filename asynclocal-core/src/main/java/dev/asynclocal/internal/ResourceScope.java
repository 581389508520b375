package dev.asynclocal.internal;

/**
 * Running a callback of an async resource: the one protocol behind both
 * {@code AsyncResource.runInAsyncScope} and a {@link AsyncOperation} made while a hook was enabled.
 * <pre>{@code
 * ResourceScope scope = ResourceScope.enter(state, asyncId, triggerAsyncId, resource, type, frame, true);
 * try {
 *     callback();
 * } finally {
 *     scope.exit(state, asyncId, type);
 * }
 * }</pre>
 * The resource becomes the executing one (its ids), {@code before} is emitted in the caller's
 * frame, as Node does, then the resource's frame is entered; on exit, the caller's frame comes
 * back, {@code after} is emitted, and the caller's ids come back last, whatever threw. An instance
 * is what the thread had before.
 */
public final class ResourceScope {
    private final Frame frame;
    private final long executionAsyncId;
    private final long triggerAsyncId;
    private final Object executionAsyncResource;
    private final boolean emits;

    private ResourceScope(Object[] state, boolean emits) {
        this.frame = ThreadState.frame();
        this.executionAsyncId = ThreadState.executionAsyncId(state);
        this.triggerAsyncId = ThreadState.triggerAsyncId(state);
        this.executionAsyncResource = ThreadState.executionAsyncResource(state);
        this.emits = emits;
    }

    /**
     * Enters the resource's callback.
     *
     * @param state the calling thread's state
     * @param asyncId the resource's id
     * @param triggerAsyncId its trigger id
     * @param resource the resource ({@code executionAsyncResource()} while its callback runs)
     * @param type its type, for the hook events
     * @param frame the context the callback runs in
     * @param emits whether to emit {@code before}/{@code after} (not for a resource already destroyed)
     * @return what the thread had before, to {@link #exit}
     */
    public static ResourceScope enter(Object[] state, long asyncId, long triggerAsyncId, Object resource, String type,
            Frame frame, boolean emits) {
        ResourceScope outer = new ResourceScope(state, emits);
        ThreadState.enterResource(state, asyncId, triggerAsyncId, resource);
        if (emits) {
            try {
                Hooks.emitBefore(state, asyncId, type);
            } catch (Throwable e) {
                // Hook failures are contained by Hooks; this is the dispatch itself failing (out of
                // memory, stack overflow). No exit() will follow, so undo the ids here.
                outer.restoreIds(state);
                throw e;
            }
        }
        ThreadState.enter(frame);
        return outer;
    }

    /**
     * Leaves the callback: the caller's frame, {@code after}, the caller's ids.
     *
     * @param state the state given to {@link #enter}
     * @param asyncId the resource's id
     * @param type its type
     */
    public void exit(Object[] state, long asyncId, String type) {
        ThreadState.exit(frame);
        try {
            if (emits) {
                Hooks.emitAfter(state, asyncId, type);
            }
        } finally {
            restoreIds(state);
        }
    }

    /** @return whether {@code before}/{@code after} are emitted for this run */
    public boolean emits() {
        return emits;
    }

    private void restoreIds(Object[] state) {
        ThreadState.enterResource(state, executionAsyncId, triggerAsyncId, executionAsyncResource);
    }
}
