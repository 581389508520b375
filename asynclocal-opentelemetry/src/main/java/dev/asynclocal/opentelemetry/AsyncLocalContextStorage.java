package dev.asynclocal.opentelemetry;

import dev.asynclocal.AsyncLocalStorage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;

/**
 * OpenTelemetry's current {@link Context}, kept as the store of one {@link AsyncLocalStorage}.
 *
 * <p>{@link #attach} is {@link AsyncLocalStorage#withScope}: the context becomes current for the
 * rest of the synchronous execution and for every asynchronous operation created in it, and
 * closing the returned scope restores the whole asynclocal context as it was before the attach.
 * {@link #current()} is that instance's store, or {@link Context#root()} where there is none.
 * That is all it takes for spans and baggage to follow every hop asynclocal propagates.
 */
enum AsyncLocalContextStorage implements ContextStorage {
    INSTANCE;

    /** Holds the current OpenTelemetry context. One instance per class loader, never disabled. */
    static final AsyncLocalStorage<Context> CONTEXT = new AsyncLocalStorage<>("opentelemetry");

    @Override
    public Scope attach(Context toAttach) {
        if (toAttach == null) {
            // OpenTelemetry's own storage ignores null the same way.
            return Scope.noop();
        }
        // Even when toAttach is already current we open a real scope, so that closing it undoes
        // any enterWith made inside, as every asynclocal scope does.
        return new AsyncLocalScope(CONTEXT.withScope(toAttach), toAttach);
    }

    @Override
    public Context current() {
        Context context = CONTEXT.getStore();
        return context != null ? context : root();
    }

    /** The scope of one attach. Never throws into the code that closes it. */
    private static final class AsyncLocalScope implements Scope {
        private final AsyncLocalStorage.Scope scope;
        private final Context attached;
        private final Thread opener = Thread.currentThread();
        private boolean closed;

        AsyncLocalScope(AsyncLocalStorage.Scope scope, Context attached) {
            this.scope = scope;
            this.attached = attached;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (CONTEXT.getStore() != attached) {
                Log.dropped(() -> "OpenTelemetry scope closed while another context was current: scopes were"
                        + " closed out of order; restoring the context from before this scope anyway");
            }
            try {
                scope.close();
                closed = true;
            } catch (IllegalStateException refused) {
                if (Thread.currentThread() != opener) {
                    // Restoring another thread's context would corrupt it: leave both threads alone.
                    Log.wrongThread("OpenTelemetry scope closed on " + Thread.currentThread().getName()
                            + ", not on the thread that opened it; ignored (" + refused.getMessage() + ")");
                } else {
                    // Only strict mode refuses a close on the right thread: out of order.
                    Log.wrongThread("OpenTelemetry scope closed out of order; refused by asynclocal's strict"
                            + " mode, the context is unchanged (" + refused.getMessage() + ")");
                }
            }
        }
    }
}
