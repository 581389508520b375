package dev.asynclocal.internal.diagnostics;

import dev.asynclocal.internal.Engine;
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
 * installed ({@link Engine.ScopeListener}: called on the thread that entered, right after the
 * switch; anything it throws is dropped), {@link ThreadState} also copies every frame switch where another thread can read it
 * ({@link ThreadState#frameSeenFromAnotherThread}), which the extension needs to check pool threads.
 */
public final class ScopeEntries {
    private static volatile Engine.ScopeListener listener;

    private ScopeEntries() {
    }

    /**
     * The listener installed now, {@code null} if none. The library reads it after each
     * {@code enterWith}/{@code withScope}.
     *
     * @return the listener or {@code null}
     */
    public static Engine.ScopeListener listener() {
        return listener;
    }

    /**
     * Installs {@code newListener} (or removes the listener, with {@code null}).
     *
     * @param newListener the listener, or {@code null}
     * @return the listener installed before
     */
    public static synchronized Engine.ScopeListener install(Engine.ScopeListener newListener) {
        Engine.ScopeListener previous = listener;
        listener = newListener;
        ThreadState.mirrorFrames(newListener != null);
        return previous;
    }

    /** Tells the listener, if any, containing whatever it throws. */
    public static void notify(Engine.ScopeListener current, Object storage, Object store, Object[] state, Frame previous,
            Frame installed, boolean scope) {
        try {
            current.entered(storage, store, state, previous, installed, scope);
        } catch (Throwable ignored) {
            // A diagnostic must never break the code it watches.
        }
    }
}
