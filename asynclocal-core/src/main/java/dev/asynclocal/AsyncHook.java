package dev.asynclocal;

import dev.asynclocal.internal.HookSink;
import dev.asynclocal.internal.Hooks;
import java.util.Objects;

/**
 * A set of callbacks that observe the life of every async resource: Node's
 * {@code async_hooks.createHook}. Made by {@link AsyncHooks#createHook}, disabled until
 * {@link #enable()}.
 *
 * <p>For each resource, callbacks come in this order: {@code init} once (synchronously, where the
 * resource is created), then {@code before} / {@code after} around each run of its code (zero or
 * more times, nested like a stack when one resource's code runs another's), then
 * {@code destroy} once, later, on the library's destroy thread. Futures also report
 * {@code promiseResolve} when they complete.
 * <pre>{@code
 * AsyncHook tracer = AsyncHooks.createHook(new AsyncHook.Callbacks() {
 *     @Override public void init(long id, String type, long trigger, Object resource) {
 *         System.err.println("init " + type + " " + id + " <- " + trigger);
 *     }
 * }).enable();
 * }</pre>
 *
 * <p>Callbacks run on the thread of the event, inside the library's dispatch: keep them short and
 * thread-safe. An exception thrown by a callback is reported to the handler set with
 * {@link AsyncHooks#setErrorHandler} and never reaches the code that caused the event. Enabling
 * or disabling hooks inside a callback takes effect after the dispatch in progress on that thread.
 */
public final class AsyncHook {
    private final Callbacks callbacks;
    private final Sink sink;

    AsyncHook(Callbacks callbacks) {
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
        this.sink = new Sink(callbacks, overridesDestroy(callbacks));
    }

    /**
     * Starts delivering events to this hook's callbacks. Enabling an enabled hook does nothing.
     *
     * @return this hook
     */
    public AsyncHook enable() {
        Hooks.enable(sink);
        return this;
    }

    /**
     * Stops delivering events to this hook's callbacks. Disabling a disabled hook does nothing.
     *
     * @return this hook
     */
    public AsyncHook disable() {
        Hooks.disable(sink);
        return this;
    }

    /**
     * Whether this hook is enabled now.
     *
     * @return {@code true} between {@link #enable()} and {@link #disable()}
     */
    public boolean isEnabled() {
        return Hooks.isEnabled(sink);
    }

    @Override
    public String toString() {
        return "AsyncHook[" + callbacks + (isEnabled() ? ", enabled]" : ", disabled]");
    }

    /**
     * The callbacks of a hook. Every method has an empty default; override the ones you need.
     */
    public interface Callbacks {
        /**
         * A resource was created. Called synchronously in the code that created it.
         *
         * @param asyncId the new resource's id
         * @param type its type, e.g. {@code "Executor"} or a user-defined name
         * @param triggerAsyncId the id of the resource in whose callback it was created
         * @param resource the resource object; do not assume it is fully constructed
         */
        default void init(long asyncId, String type, long triggerAsyncId, Object resource) {
        }

        /**
         * The resource's code is about to run; {@link AsyncHooks#executionAsyncId()} already
         * returns {@code asyncId}.
         *
         * @param asyncId the resource's id
         */
        default void before(long asyncId) {
        }

        /**
         * The resource's code has finished running, normally or by throwing.
         *
         * @param asyncId the resource's id
         */
        default void after(long asyncId) {
        }

        /**
         * The resource is done: {@code emitDestroy()} was called or it became unreachable.
         * Called later, on the library's destroy thread.
         *
         * @param asyncId the resource's id
         */
        default void destroy(long asyncId) {
        }

        /**
         * A future-like resource was completed (Node's promise resolve).
         *
         * @param asyncId the resource's id
         */
        default void promiseResolve(long asyncId) {
        }
    }

    private static boolean overridesDestroy(Callbacks callbacks) {
        try {
            return callbacks.getClass().getMethod("destroy", long.class).getDeclaringClass() != Callbacks.class;
        } catch (ReflectiveOperationException | SecurityException e) {
            return true; // cannot tell: assume it wants destroy events
        }
    }

    /** Adapts the user's callbacks to the library's dispatcher. */
    private static final class Sink implements HookSink {
        private final Callbacks callbacks;
        private final boolean wantsDestroy;

        Sink(Callbacks callbacks, boolean wantsDestroy) {
            this.callbacks = callbacks;
            this.wantsDestroy = wantsDestroy;
        }

        @Override
        public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            callbacks.init(asyncId, type, triggerAsyncId, resource);
        }

        @Override
        public void before(long asyncId) {
            callbacks.before(asyncId);
        }

        @Override
        public void after(long asyncId) {
            callbacks.after(asyncId);
        }

        @Override
        public void destroy(long asyncId) {
            callbacks.destroy(asyncId);
        }

        @Override
        public void promiseResolve(long asyncId) {
            callbacks.promiseResolve(asyncId);
        }

        @Override
        public boolean wantsDestroy() {
            return wantsDestroy;
        }
    }
}
