package dev.asynclocal.internal;

/**
 * An optional observer of {@code enterWith} and {@code withScope}: the two calls that change the
 * current context without a lambda that ends it, and so the only way a context can outlive the
 * code that set it (every {@code run}, {@code exit}, snapshot run, resource scope and propagated
 * task restores the whole previous frame by itself).
 *
 * <p>Off by default: the library checks one static volatile field after each of those two calls
 * and finds {@code null}. The {@code asynclocal-junit} extension installs a listener for the
 * duration of a test to learn where a context that was left behind came from. While one is
 * installed, {@link ThreadState} also copies every frame switch where another thread can read it
 * ({@link ThreadState#frameSeenFromAnotherThread}), which the extension needs to check pool threads.
 */
public final class ScopeEntries {
    private static volatile Listener listener;

    private ScopeEntries() {
    }

    /** Told about every {@code enterWith}/{@code withScope} while installed. */
    public interface Listener {
        /**
         * A context was entered without a lambda that ends it. Called on the thread that entered
         * it, right after the new frame was installed. Must not throw; anything thrown is dropped.
         *
         * @param storage the {@code AsyncLocalStorage} whose store was set
         * @param store the store set, possibly {@code null}
         * @param state the state of the calling thread (see {@link ThreadState#current()})
         * @param previous the frame that was current before the call
         * @param installed the frame now current on that thread
         * @param scope {@code true} for {@code withScope}, {@code false} for {@code enterWith}
         */
        void entered(Object storage, Object store, Object[] state, Frame previous, Frame installed, boolean scope);
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
