package dev.asynclocal.internal.diagnostics;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.ThreadState;
/**
 * An optional observer of {@code enterWith} and {@code withScope}: the two calls that change the
 * current context without a lambda that ends it, and so the only way a context can outlive the
 * code that set it (every {@code run}, {@code exit}, snapshot run, resource scope and propagated
 * task restores the whole previous frame by itself).
 *
 * <p>Off by default: the library checks one static volatile field after each of those two calls
 * and finds {@code null}. The {@code asynclocal-junit} extension installs a listener for the
 * duration of a test to learn where a context that was left behind came from. While one is
 * installed (a {@link Listener}: called on the thread that entered, right after the
 * switch; anything it throws is dropped), {@link ThreadState} also copies every frame switch where another thread can read it
 * ({@link ThreadState#frameSeenFromAnotherThread}), which the extension needs to check pool threads.
 */
public final class ScopeEntries {
    /** Told of every {@code enterWith} and {@code withScope}, on the thread that made it. */
    public interface Listener {
        /**
         * @param storage the {@code AsyncLocalStorage}
         * @param store the store it set
         * @param state the thread's state, to identify the thread
         * @param previous the frame before the call
         * @param installed the frame after it
         * @param scope {@code true} for {@code withScope}, {@code false} for {@code enterWith}
         */
        void entered(Object storage, Object store, Object[] state, Object previous, Object installed, boolean scope);
    }

    private static volatile Listener listener;

    private ScopeEntries() {
    }

    /**
     * The listener installed now, {@code null} if none. The library reads it after each
     * {@code enterWith}/{@code withScope}.
     *
     * @return the listener or {@code null}
     */
    public static Listener listener() {
        return listener;
    }

    /**
     * Installs {@code newListener} (or removes the listener, with {@code null}).
     *
     * @param newListener the listener, or {@code null}
     * @return the listener installed before
     */
    public static synchronized Listener install(Listener newListener) {
        Listener previous = listener;
        listener = newListener;
        ThreadState.mirrorFrames(newListener != null);
        return previous;
    }

    /** Tells the listener, if any, containing whatever it throws. */
    public static void notify(Listener current, Object storage, Object store, Object[] state, Frame previous,
            Frame installed, boolean scope) {
        try {
            current.entered(storage, store, state, previous, installed, scope);
        } catch (Throwable ignored) {
            // A diagnostic must never break the code it watches.
        }
    }
}
