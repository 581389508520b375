package dev.asynclocal;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.StrictMode;
import dev.asynclocal.internal.ThreadState;

/**
 * The {@link AsyncLocalStorage.Scope} of {@code withScope}: restores one saved frame, once. In
 * {@linkplain StrictMode strict mode} it also knows where it was opened, and refuses to close out
 * of order.
 */
final class RestoringScope implements AsyncLocalStorage.Scope {
    private final Thread owner;
    /** The open site recorded by strict mode; {@code null} when strict mode was off at open. */
    private final StackTraceElement[] openSite;
    private Frame previous;

    RestoringScope(Frame previous, StackTraceElement[] openSite) {
        this.owner = Thread.currentThread();
        this.previous = previous;
        this.openSite = openSite;
    }

    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw StrictMode.wrongThread(openSite);
        }
        Frame saved = previous;
        if (saved != null) {
            if (StrictMode.ENABLED && openSite != null) {
                StrictMode.closing(openSite); // throws before anything is restored
            }
            previous = null;
            ThreadState.setFrame(saved);
        }
    }
}
