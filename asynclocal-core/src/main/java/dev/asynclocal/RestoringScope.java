package dev.asynclocal;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.ThreadState;

/** The {@link AsyncLocalStorage.Scope} of {@code withScope}: restores one saved frame, once. */
final class RestoringScope implements AsyncLocalStorage.Scope {
    private final Object[] owner;
    private Frame previous;

    RestoringScope(Object[] owner, Frame previous) {
        this.owner = owner;
        this.previous = previous;
    }

    @Override
    public void close() {
        if (ThreadState.current() != owner) {
            throw new IllegalStateException("a withScope() scope must be closed on the thread that opened it,"
                    + " not on " + Thread.currentThread().getName());
        }
        Frame saved = previous;
        if (saved != null) {
            previous = null;
            ThreadState.setFrame(owner, saved);
        }
    }
}
