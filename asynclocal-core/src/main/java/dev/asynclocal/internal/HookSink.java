package dev.asynclocal.internal;

/**
 * The receiving end of hook events inside the library; the public {@code AsyncHook} adapts its
 * user callbacks to this. Implementations may throw: {@link Hooks} reports and contains it.
 */
public interface HookSink {
    void init(long asyncId, String type, long triggerAsyncId, Object resource);

    void before(long asyncId);

    void after(long asyncId);

    void destroy(long asyncId);

    void promiseResolve(long asyncId);

    /** Whether {@link #destroy} does anything; resources register for GC destroy only then. */
    boolean wantsDestroy();
}
