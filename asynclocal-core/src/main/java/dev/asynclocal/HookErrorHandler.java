package dev.asynclocal;

/**
 * Receives an exception thrown by an {@link AsyncHook} callback. The operation that caused the
 * event goes on as if the callback had returned normally; the handler decides what to make of it.
 * Set with {@link AsyncHooks#setErrorHandler}. The default prints one line to standard error
 * naming the callback and the resource type, followed by the stack trace.
 * <pre>{@code
 * AsyncHooks.setErrorHandler((callback, type, asyncId, error) ->
 *         log.warn("{} hook failed for {} {}", callback, type, asyncId, error));
 * }</pre>
 */
@FunctionalInterface
public interface HookErrorHandler {
    /**
     * Handles one failure. Called on the thread of the event; an exception thrown from here is
     * printed to standard error and otherwise ignored.
     *
     * @param callback the callback that threw: {@code "init"}, {@code "before"}, {@code "after"},
     *     {@code "destroy"} or {@code "promiseResolve"}
     * @param resourceType the type of the resource the event was about
     * @param asyncId the id of that resource
     * @param error what the callback threw
     */
    void onHookError(String callback, String resourceType, long asyncId, Throwable error);
}
