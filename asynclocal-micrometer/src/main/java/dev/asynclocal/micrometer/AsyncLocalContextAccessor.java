package dev.asynclocal.micrometer;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;

/**
 * One Micrometer {@link ThreadLocalAccessor} for the <em>whole</em> asynclocal context: every store
 * of every {@link AsyncLocalStorage} at once (and what lives in the context with them: an
 * asynclocal-slf4j MDC, OpenTelemetry's current context), captured as one {@link Snapshot} and
 * restored as one. Where Reactor's automatic context propagation or a {@code ContextSnapshot}
 * carries thread-locals, this carries the request's context, whatever it holds, at the cost of
 * one reference.
 * <pre>{@code
 * AsyncLocalContextAccessor.register();
 * Hooks.enableAutomaticContextPropagation();
 * Mono.just(1).publishOn(Schedulers.parallel())
 *         .map(i -> REQUEST_ID.getStore())                       // the subscriber's request id
 *         .contextWrite(Context.of(AsyncLocalContextAccessor.KEY, AsyncLocalStorage.snapshot()));
 * }</pre>
 * {@code setValue} installs the snapshot's whole context and {@code restore} gives back exactly
 * what the thread had (when Micrometer closes its scopes in order, which it does); a restore that
 * finds no scope of its own to close (late, or on another thread) changes nothing.
 */
public final class AsyncLocalContextAccessor implements ThreadLocalAccessor<Snapshot> {
    /** The accessor's key, in the registry and in Reactor contexts. */
    public static final String KEY = "dev.asynclocal.context";

    /** The scopes this accessor opened in the current context, innermost last. */
    private static final AsyncLocalStorage<Open> OPEN = new AsyncLocalStorage<>("micrometer-context-scopes");

    /** Registers the accessor in Micrometer's global registry (the one Reactor and Spring use). */
    public static void register() {
        register(ContextRegistry.getInstance());
    }

    /**
     * Registers the accessor in {@code registry}, replacing one registered before.
     *
     * @param registry the registry
     */
    public static void register(ContextRegistry registry) {
        registry.registerThreadLocalAccessor(new AsyncLocalContextAccessor());
    }

    @Override
    public Object key() {
        return KEY;
    }

    /** The whole current context. */
    @Override
    public Snapshot getValue() {
        return AsyncLocalStorage.snapshot();
    }

    @Override
    public void setValue(Snapshot value) {
        open(value);
    }

    /** Micrometer clearing a value a snapshot lacks: the empty context, for the scope. */
    @Override
    public void setValue() {
        open(Snapshot.empty());
    }

    @Override
    public void restore(Snapshot previousValue) {
        close();
    }

    @Override
    public void restore() {
        close();
    }

    private static void open(Snapshot value) {
        Open enclosing = OPEN.getStore();
        AsyncLocalStorage.Scope scope = value.attach();
        OPEN.enterWith(new Open(scope, Thread.currentThread(), enclosing));
    }

    private static void close() {
        Open innermost = OPEN.getStore();
        if (innermost != null && innermost.thread == Thread.currentThread() && !innermost.closed) {
            innermost.closed = true;
            innermost.scope.close(); // the context from before the attach, whole
        }
        // Otherwise the scope it would close has ended already (late) or is another thread's:
        // the context was restored when that scope ended, and there is nothing left to undo.
    }

    @Override
    public String toString() {
        return "AsyncLocalContextAccessor[" + KEY + "]";
    }

    private static final class Open {
        final AsyncLocalStorage.Scope scope;
        final Thread thread;
        final Open enclosing;
        boolean closed;

        Open(AsyncLocalStorage.Scope scope, Thread thread, Open enclosing) {
            this.scope = scope;
            this.thread = thread;
            this.enclosing = enclosing;
        }
    }
}
