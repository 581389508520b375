package dev.asynclocal;

import dev.asynclocal.internal.Hooks;
import dev.asynclocal.internal.ThreadState;

/**
 * Entry points of the low-level hooks API (Node's {@code async_hooks} module functions): create
 * hooks, and ask which async resource is running now.
 *
 * <p>Outside any resource's callback, {@link #executionAsyncId()} is {@code 1} and
 * {@link #triggerAsyncId()} is {@code 0}, as at Node's top level. Inside
 * {@link AsyncResource#runInAsyncScope} (and inside tasks created while a hook was enabled) they
 * are the running resource's id and its trigger's id.
 */
public final class AsyncHooks {
    private AsyncHooks() {
    }

    /**
     * Creates a hook with the given callbacks, disabled until {@link AsyncHook#enable()}.
     *
     * @param callbacks the callbacks to deliver events to
     * @return the new, disabled hook
     * @throws NullPointerException if {@code callbacks} is {@code null}
     */
    public static AsyncHook createHook(AsyncHook.Callbacks callbacks) {
        return new AsyncHook(callbacks);
    }

    /**
     * The id of the async resource whose code is running on this thread now, {@code 1} at top level.
     *
     * @return the execution async id
     */
    public static long executionAsyncId() {
        return ThreadState.executionAsyncId(ThreadState.state());
    }

    /**
     * The id of the resource that caused the one running now, {@code 0} at top level.
     *
     * @return the trigger async id
     */
    public static long triggerAsyncId() {
        return ThreadState.triggerAsyncId(ThreadState.state());
    }

    /**
     * The async resource whose code is running on this thread now: the {@link AsyncResource} (or
     * library resource) itself, or a fixed top-level object outside any resource. Never
     * {@code null}, so it can key a map.
     *
     * @return the executing resource
     */
    public static Object executionAsyncResource() {
        return ThreadState.executionAsyncResource(ThreadState.state());
    }

    /**
     * Replaces where exceptions thrown by hook callbacks are reported. The default prints one
     * line to standard error naming the callback and resource type, with the stack trace.
     *
     * @param handler the new handler, or {@code null} for the default
     */
    public static void setErrorHandler(HookErrorHandler handler) {
        Hooks.setReporter(handler == null ? null : handler::onHookError);
    }

    /**
     * Restores the default error handler (one line on standard error per failure).
     */
    public static void resetErrorHandler() {
        setErrorHandler(null);
    }

}
