package io.grpc.override;

import dev.asynclocal.AsyncLocalStorage;
import io.grpc.Context;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps gRPC's current {@link Context} (deadline, cancellation, the values of its keys) in the
 * asynclocal context, so that it follows every hop asynclocal propagates: tasks of
 * {@code AsyncExecutors} wrappers, stages of an {@code AsyncCompletableFuture}, snapshots, and with
 * the asynclocal agent plain JDK executors, futures and threads. A call made in a task that a gRPC
 * handler handed to a pool then carries the handler's deadline, and is cancelled with it.
 *
 * <p>gRPC finds this class by its name: having this jar on the class path is enough. gRPC uses the
 * first class of this name it finds, so use exactly one jar that ships it. With OpenTelemetry, use
 * {@code io.grpc:grpc-context-override-opentelemetry} together with {@code asynclocal-opentelemetry}
 * instead of this jar: gRPC's context then lives in OpenTelemetry's, which lives in the asynclocal
 * context.
 *
 * <p>{@link Context#attach()} is {@link AsyncLocalStorage#withScope}, and {@link Context#detach}
 * closes that scope: the asynclocal context as it was before the attach comes back whole, so an
 * {@code enterWith} made in between ends there too. gRPC attaches and detaches around every
 * callback it runs, and {@link Context#run}, {@link Context#wrap} and
 * {@link Context#currentContextExecutor} work as before. They carry gRPC's context only: the
 * asynclocal stores of the code that called {@code wrap} do not come with it (asynclocal's own
 * propagation carries both).
 *
 * <p>gRPC's contract for this class: a public no-argument constructor that does not use
 * {@link Context}. Never throws into gRPC: a detach gRPC's own storage would complain about is
 * logged on the {@code System.Logger} {@code dev.asynclocal.grpc} (the first time as a warning).
 */
public final class ContextStorageOverride extends Context.Storage {
    /** gRPC's current context: the store of one asynclocal instance, never disabled. */
    private static final AsyncLocalStorage<Context> CURRENT = new AsyncLocalStorage<>("grpc");

    /**
     * Where {@link #doAttach} leaves the scope it opened, in the context it returns: gRPC hands that
     * context back to {@link #detach} as {@code toRestore}.
     */
    private static final Context.Key<AsyncLocalStorage.Scope> SCOPE = Context.key("asynclocal-scope");

    private static final Logger LOG = System.getLogger("dev.asynclocal.grpc");
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** Called by gRPC, once, the first time it needs its context. */
    public ContextStorageOverride() {
    }

    @Override
    public Context doAttach(Context toAttach) {
        Context previous = current();
        AsyncLocalStorage.Scope scope = CURRENT.withScope(toAttach);
        return previous.withValue(SCOPE, scope);
    }

    @Override
    public void detach(Context toDetach, Context toRestore) {
        AsyncLocalStorage.Scope scope = toRestore == null ? null : SCOPE.get(toRestore);
        if (scope == null) {
            // Not a context doAttach returned: do what gRPC's thread-local storage does.
            warn("io.grpc.Context detached with a context its attach() did not return; made it current");
            CURRENT.enterWith(toRestore == Context.ROOT ? null : toRestore);
            return;
        }
        if (CURRENT.getStore() != toDetach) {
            warn("io.grpc.Context detached while another context was current: attach and detach are not"
                    + " paired; restoring the context from before the attach anyway");
        }
        try {
            scope.close();
        } catch (IllegalStateException refused) {
            // Another thread's scope, or strict mode refusing an out-of-order close: restoring
            // anything now would corrupt a context, so leave it as it is.
            warn("io.grpc.Context detach refused, the context is unchanged: " + refused.getMessage());
        }
    }

    @Override
    public Context current() {
        Context current = CURRENT.getStore();
        return current != null ? current : Context.ROOT;
    }

    private static void warn(String message) {
        Level level = WARNED.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG;
        if (LOG.isLoggable(level)) {
            LOG.log(level, message);
        }
    }
}
