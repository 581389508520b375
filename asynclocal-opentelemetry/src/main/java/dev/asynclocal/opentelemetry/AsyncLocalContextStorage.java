package dev.asynclocal.opentelemetry;

import dev.asynclocal.AsyncLocalStorage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OpenTelemetry's current {@link Context}, kept as the store of one {@link AsyncLocalStorage}, with
 * the behaviour of OpenTelemetry's own thread-local storage: code and instrumentation written and
 * tested against that storage see no difference, except that the context now follows every hop
 * asynclocal propagates.
 *
 * <p>The rules (each checked against OpenTelemetry's default storage by the paired tests,
 * {@code ContextStorageContractTest}):
 * <ul>
 *   <li>{@link #attach} of {@code null}, or of the context that is already current, returns
 *       {@link Scope#noop()}; otherwise the context becomes current as with
 *       {@link AsyncLocalStorage#withScope}, and the scope closes once: when it is closed while
 *       its context is still the current one, the whole asynclocal context from before the attach
 *       comes back (so an {@code enterWith} made inside ends there too).</li>
 *   <li>Closing a scope whose context is not the current one (closed out of order, twice, or on
 *       another thread) changes nothing and logs, at {@code FINE}, on OpenTelemetry's own logger
 *       {@value #OPEN_TELEMETRY_LOGGER}, as OpenTelemetry's storage does.</li>
 *   <li>{@link #current()} is {@code null} where nothing was attached (and
 *       {@code Context.current()} then gives {@link Context#root()}), as OpenTelemetry's storage.</li>
 * </ul>
 */
enum AsyncLocalContextStorage implements ContextStorage {
    INSTANCE;

    /** Holds the current OpenTelemetry context. One instance per class loader, never disabled. */
    static final AsyncLocalStorage<Context> CONTEXT = new AsyncLocalStorage<>("opentelemetry");

    /** The logger OpenTelemetry's own storage reports a bad close on. */
    static final String OPEN_TELEMETRY_LOGGER = "io.opentelemetry.context.ThreadLocalContextStorage";
    private static final Logger LOGGER = Logger.getLogger(OPEN_TELEMETRY_LOGGER);

    @Override
    public Scope attach(Context toAttach) {
        if (toAttach == null || toAttach == current()) {
            return Scope.noop();
        }
        return new AsyncLocalScope(CONTEXT.withScope(toAttach), toAttach);
    }

    @Override
    public Context current() {
        return CONTEXT.getStore();
    }

    /** The scope of one attach. Never throws into the code that closes it. */
    private static final class AsyncLocalScope implements Scope {
        private final AsyncLocalStorage.Scope scope;
        private final Context attached;
        private boolean closed;

        AsyncLocalScope(AsyncLocalStorage.Scope scope, Context attached) {
            this.scope = scope;
            this.attached = attached;
        }

        @Override
        public void close() {
            if (closed || CONTEXT.getStore() != attached) {
                LOGGER.log(Level.FINE, "Trying to close scope which does not represent current context. Ignoring the call.");
                return;
            }
            try {
                scope.close();
                closed = true;
            } catch (IllegalStateException refused) {
                // asynclocal's strict mode: an asynclocal scope opened inside this one is still open.
                Log.wrongThread("OpenTelemetry scope closed while an asynclocal scope opened inside it is still"
                        + " open; refused by asynclocal's strict mode, the context is unchanged ("
                        + refused.getMessage() + ")");
            }
        }
    }
}
