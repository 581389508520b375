package dev.asynclocal.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.ContextStorageProvider;
import io.opentelemetry.context.Scope;

/**
 * Makes OpenTelemetry keep its current {@link Context} (the current span, the baggage) in the
 * asynclocal context, so that it follows work wherever asynclocal propagates: tasks of
 * {@link dev.asynclocal.AsyncExecutors} wrappers, stages of an
 * {@link dev.asynclocal.AsyncCompletableFuture}, {@link dev.asynclocal.Snapshot}s and
 * {@code AsyncLocalStorage.bind}, {@link dev.asynclocal.AsyncResource}s, and, with the asynclocal
 * agent, plain JDK executors, futures and {@code Thread.start}. No OpenTelemetry agent is needed.
 *
 * <p>OpenTelemetry finds this class with {@link java.util.ServiceLoader}; having this module on
 * the class path (or module path) is enough:
 * <ul>
 *   <li>if the system property {@code io.opentelemetry.context.contextStorageProvider} is unset
 *       and this is the only provider, it is used;</li>
 *   <li>if several providers are found, OpenTelemetry uses none of them (it logs a warning and
 *       falls back to its thread-local storage) unless the property names one:
 *       {@code -Dio.opentelemetry.context.contextStorageProvider=}{@value #CLASS_NAME};</li>
 *   <li>{@code -Dio.opentelemetry.context.contextStorageProvider=default} keeps OpenTelemetry's
 *       own thread-local storage even with this module present.</li>
 * </ul>
 * The choice is made once, the first time anything asks OpenTelemetry for the current context,
 * and cannot change afterwards. {@link #isActive()} tells which way it went.
 *
 * <p>Scopes behave exactly as with OpenTelemetry's own storage: {@code makeCurrent()} of the
 * context that is already current returns {@code Scope.noop()}, and closing a scope whose context
 * is not the current one (out of order, twice, on another thread) is ignored and logged at
 * {@code FINE} on OpenTelemetry's logger. A scope closed in order gives back the whole asynclocal
 * context from before its {@code makeCurrent}, so anything set with {@code enterWith} inside ends
 * with it. See {@code docs/opentelemetry.md}.
 */
public final class AsyncLocalContextStorageProvider implements ContextStorageProvider {
    /** The name to give {@code io.opentelemetry.context.contextStorageProvider}. */
    public static final String CLASS_NAME = "dev.asynclocal.opentelemetry.AsyncLocalContextStorageProvider";

    private static final ContextKey<Object> PROBE = ContextKey.named("asynclocal-probe");

    /** Called by {@link java.util.ServiceLoader}. */
    public AsyncLocalContextStorageProvider() {
    }

    @Override
    public ContextStorage get() {
        return AsyncLocalContextStorage.INSTANCE;
    }

    /**
     * Whether OpenTelemetry's current context lives in the asynclocal context in this JVM, that
     * is, whether OpenTelemetry selected this provider (possibly behind wrappers of its own, such
     * as its strict mode). Selects OpenTelemetry's storage if nothing has yet.
     *
     * @return {@code true} if {@code Context.current()} follows asynclocal propagation
     */
    @SuppressWarnings("try")
    public static boolean isActive() {
        Context probe = Context.current().with(PROBE, new Object());
        try (Scope ignored = probe.makeCurrent()) {
            return AsyncLocalContextStorage.CONTEXT.getStore() == probe;
        }
    }
}
