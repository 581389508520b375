package dev.asynclocal.opentelemetry;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.CallableOp;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The context a peer sent with a request, as {@link BaggagePropagation#extract} read it: run the
 * request's handling in it with {@link #run}.
 *
 * <p>Inside {@code run}, every declared instance holds its decoded entry, or no store at all when
 * the entry was missing or dropped (so the thread's previous store never shows through), and
 * OpenTelemetry's current context is the extracted one: the remote span as parent of any span
 * started inside, and the received baggage. Afterwards the thread's whole previous context is
 * back. Immutable; {@code run} may be called any number of times, on any thread.
 */
public final class IncomingContext {
    static final Object ABSENT = new Object();

    private final BaggagePropagation propagation;
    private final Context context;
    /** Per declaration, in order: the decoded store, or {@link #ABSENT}. */
    private final Object[] values;
    /** Per declaration: the entry as received (for the MDC), or {@code null}. */
    private final String[] received;

    IncomingContext(BaggagePropagation propagation, Context context, Object[] values, String[] received) {
        this.propagation = propagation;
        this.context = context;
        this.values = values;
        this.received = received;
    }

    /** The context of a request whose headers could not be read at all. */
    static IncomingContext fresh(BaggagePropagation propagation) {
        int n = propagation.storages().size();
        Object[] values = new Object[n];
        Arrays.fill(values, ABSENT);
        return new IncomingContext(propagation, Context.root(), values, new String[n]);
    }

    /**
     * OpenTelemetry's context as extracted: the remote parent span, if a valid
     * {@code traceparent} came, and the baggage that survived the checks.
     *
     * @return the extracted OpenTelemetry context
     */
    public Context otelContext() {
        return context;
    }

    /**
     * The decoded store received for {@code storage}.
     *
     * @param storage one of the propagation's declarations
     * @param <T> the type of the store
     * @return the decoded value, or {@code null} if none was received or it was dropped
     * @throws IllegalArgumentException if {@code storage} is not declared in the propagation
     */
    @SuppressWarnings("unchecked")
    public <T> T value(PropagatedStorage<T> storage) {
        Object value = values[indexOf(storage)];
        return value == ABSENT ? null : (T) value;
    }

    /**
     * Runs {@code fn} in this context, then restores the thread's previous context.
     *
     * @param fn the request's handling
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public void run(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        this.<Void, RuntimeException>run(() -> {
            fn.run();
            return null;
        });
    }

    /**
     * Runs {@code fn} in this context and returns its result, then restores the thread's previous
     * context. Exceptions from {@code fn} propagate unchanged.
     *
     * @param fn the request's handling
     * @param <R> the result type
     * @param <X> the exception type {@code fn} may throw
     * @return what {@code fn} returns
     * @throws X what {@code fn} throws
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public <R, X extends Throwable> R run(CallableOp<? extends R, X> fn) throws X {
        Objects.requireNonNull(fn, "fn");
        return runFrom(0, fn);
    }

    /** Sets declaration {@code i}, then the next ones, then runs {@code fn}: one frame per store. */
    @SuppressWarnings({"unchecked", "try"})
    private <R, X extends Throwable> R runFrom(int i, CallableOp<? extends R, X> fn) throws X {
        List<PropagatedStorage<?>> storages = propagation.storages();
        if (i == storages.size()) {
            try (Scope ignored = context.makeCurrent()) {
                return Mdc.with(storages, received, fn);
            }
        }
        AsyncLocalStorage<Object> storage = (AsyncLocalStorage<Object>) storages.get(i).storage();
        Object value = values[i];
        CallableOp<R, X> rest = () -> runFrom(i + 1, fn);
        return value == ABSENT ? storage.exit(rest) : storage.run(value, rest);
    }

    /**
     * Makes this context current until the returned scope is closed, for integrations whose
     * "before" and "after" are two separate callbacks (a Spring Kafka {@code RecordInterceptor}'s
     * {@code intercept} and {@code afterRecord}, say); prefer {@link #run} everywhere else. Inside,
     * every declared instance holds its decoded entry (an instance whose entry was missing or
     * dropped shows its default value), OpenTelemetry's current context is the extracted one, and
     * the MDC holds the declared keys. Closing the scope, on the same thread and in reverse order
     * of opening, gives the thread back its whole previous context; a second close does nothing.
     *
     * @return the scope to close afterwards
     */
    @SuppressWarnings("unchecked")
    public AsyncLocalStorage.Scope open() {
        List<PropagatedStorage<?>> storages = propagation.storages();
        AsyncLocalStorage.Scope[] scopes = new AsyncLocalStorage.Scope[storages.size()];
        for (int i = 0; i < scopes.length; i++) {
            AsyncLocalStorage<Object> storage = (AsyncLocalStorage<Object>) storages.get(i).storage();
            Object value = values[i];
            scopes[i] = storage.withScope(value == ABSENT ? storage.<Object, RuntimeException>exit(storage::getStore) : value);
        }
        Scope otel = context.makeCurrent();
        Runnable mdc = Mdc.put(storages, received);
        return new AsyncLocalStorage.Scope() {
            private boolean closed;

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                mdc.run();
                otel.close();
                for (int i = scopes.length - 1; i >= 0; i--) {
                    scopes[i].close();
                }
            }
        };
    }

    private int indexOf(PropagatedStorage<?> storage) {
        List<PropagatedStorage<?>> storages = propagation.storages();
        for (int i = 0; i < storages.size(); i++) {
            if (storages.get(i) == storage) {
                return i;
            }
        }
        throw new IllegalArgumentException(storage + " is not declared in " + propagation);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("IncomingContext[");
        List<PropagatedStorage<?>> storages = propagation.storages();
        for (int i = 0; i < storages.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(storages.get(i).key()).append(values[i] == ABSENT ? " unset" : " set");
        }
        return out.append(']').toString();
    }
}
