package dev.asynclocal;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.ThreadState;
import dev.asynclocal.internal.diagnostics.StrictMode;

/**
 * The {@link AsyncLocalStorage.Scope} of {@code withScope}: restores one saved frame, once. In
 * {@linkplain StrictMode strict mode} it also knows where it was opened, and refuses to close out
 * of order.
 */
final class RestoringScope implements AsyncLocalStorage.Scope {
    private final Thread owner;
    /**
     * The open site recorded by strict mode (a {@code StackTraceElement[]}); {@code null} when
     * strict mode was off at open. Typed {@code Object} on purpose: with an array type in the
     * constructor's signature, C2 sometimes refuses to inline the constructor (the array class is
     * not loaded yet when nothing has taken a stack trace), and the scope then escapes: 24 bytes and
     * about 6 ns more per {@code withScope} (JMH, JDK 25).
     */
    private final Object openSite;
    private Frame previous;

    RestoringScope(Frame previous, Object openSite) {
        this.owner = Thread.currentThread();
        this.previous = previous;
        this.openSite = openSite;
    }

    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw StrictMode.wrongThread((StackTraceElement[]) openSite);
        }
        Frame saved = previous;
        if (saved != null) {
            if (StrictMode.ENABLED && openSite != null) {
                StrictMode.closing((StackTraceElement[]) openSite); // throws before anything is restored
            }
            previous = null;
            ThreadState.exit(saved);
        }
    }
}
