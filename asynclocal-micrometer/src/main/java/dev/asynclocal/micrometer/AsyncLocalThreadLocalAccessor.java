package dev.asynclocal.micrometer;

import dev.asynclocal.AsyncLocalStorage;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.Objects;

/**
 * A Micrometer {@link ThreadLocalAccessor} for the store of one {@link AsyncLocalStorage}, so
 * that Micrometer's {@code ContextSnapshot}, Reactor's context propagation
 * ({@code Hooks.enableAutomaticContextPropagation()}, {@code contextCapture()}) and Spring's
 * {@code ContextPropagatingTaskDecorator} carry it wherever they carry thread-locals.
 * <pre>{@code
 * static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
 * static {
 *     AsyncLocalThreadLocalAccessor.register("user", USER);
 * }
 *
 * USER.run("alice", () -> Mono.just(1)
 *         .publishOn(Schedulers.parallel())
 *         .map(i -> USER.getStore())          // "alice", on a parallel thread
 *         .contextCapture()
 *         .subscribe(...));
 * }</pre>
 *
 * <p>Register one accessor per instance that should travel, under a key unique in the
 * registry; the key is also the key of the value in a Reactor {@code Context}. Either call
 * {@link #register(String, AsyncLocalStorage)} at startup, or, for {@code ServiceLoader}
 * registration, subclass with a public no-argument constructor and list the subclass in
 * {@code META-INF/services/io.micrometer.context.ThreadLocalAccessor}.
 *
 * <h2>How Micrometer's calls map onto asynclocal</h2>
 * <ul>
 *   <li>{@link #getValue()} is the current store; {@code null} when there is none, and also when
 *       the store is the instance's default value (the same object), so that "absent" travels
 *       as absent.</li>
 *   <li>{@link #setValue(Object)} opens a scope: the store becomes current as with
 *       {@link AsyncLocalStorage#withScope}, for the rest of the Micrometer scope and for every
 *       asynchronous operation created in it. {@link #setValue()} (Micrometer clearing a value
 *       that a snapshot lacks) does the same with the default value.</li>
 *   <li>{@link #restore(Object)} and {@link #restore()} close it. When the scope being closed
 *       is the innermost one opened on this thread by any of these accessors (always the case
 *       with Micrometer's, Reactor's and Spring's own scopes, which close in reverse order on the
 *       thread that opened them), the thread gets back exactly the asynclocal context it had
 *       before {@code setValue}: no entry is left behind, and an {@code enterWith} made inside,
 *       on any instance, ends there, as it does at the end of every asynclocal scope.</li>
 *   <li>A scope closed while a scope opened after it is still open (out of order) gets
 *       thread-local semantics, as Micrometer's accessors for plain {@code ThreadLocal}s do: the
 *       store is set to the previous value Micrometer passes (the default value for
 *       {@code restore()}) for the rest of the current asynclocal scope, and the inner scope,
 *       closed later, gives back what it saw when it opened. The values are those a
 *       {@code ThreadLocal} accessor would show ({@code AccessorPairTest} checks them against one).</li>
 *   <li>A scope closed <em>late</em> — after the asynclocal scope (the {@code run}, task or
 *       snapshot) it was opened in has ended — or on a thread that never opened it has nothing left
 *       to undo: the end of that asynclocal scope already restored the context as it was, so the
 *       close changes nothing. (A {@code ThreadLocal} accessor would write the stale previous
 *       value into whatever the thread runs now; that is the leak this library exists to
 *       prevent.)</li>
 *   <li>{@link #reset()} (Micrometer's older name for clearing) hides the store with
 *       thread-local semantics, for the rest of the current asynclocal scope.</li>
 * </ul>
 * Keys may be any object, as in Micrometer's registry.
 *
 * @param <T> the type of the store
 */
public class AsyncLocalThreadLocalAccessor<T> implements ThreadLocalAccessor<T> {
    /**
     * The Micrometer scopes open in the current context, innermost last; one per
     * {@link #setValue}, shared by all accessors so that nesting across them is seen.
     */
    private static final AsyncLocalStorage<OpenScope> OPEN = new AsyncLocalStorage<>("micrometer-scopes");

    private final Object key;
    private final AsyncLocalStorage<T> storage;
    /** What {@code storage.getStore()} returns where it has no store. */
    private final T defaultValue;

    /**
     * An accessor for {@code storage} under {@code key}. Not registered: pass it to
     * {@code ContextRegistry.registerThreadLocalAccessor}, or use {@link #register}.
     *
     * @param key the key in the registry and in Reactor contexts
     * @param storage the instance whose store travels
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is empty
     */
    public AsyncLocalThreadLocalAccessor(String key, AsyncLocalStorage<T> storage) {
        this((Object) key, storage);
    }

    /**
     * An accessor for {@code storage} under a key of any type, as Micrometer's registry allows
     * (a {@code Class}, an enum constant, a shared key object). Keys are compared with
     * {@code equals}.
     *
     * @param key the key in the registry and in Reactor contexts
     * @param storage the instance whose store travels
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is an empty string
     */
    public AsyncLocalThreadLocalAccessor(Object key, AsyncLocalStorage<T> storage) {
        Objects.requireNonNull(key, "key");
        if (key instanceof String && ((String) key).isEmpty()) {
            throw new IllegalArgumentException("key is empty");
        }
        this.key = key;
        this.storage = Objects.requireNonNull(storage, "storage");
        this.defaultValue = storage.exit(storage::getStore);
    }

    /**
     * Registers an accessor for {@code storage} under {@code key} in the global
     * {@link ContextRegistry#getInstance()} (the one Reactor and Spring use), replacing any
     * accessor registered under that key.
     *
     * @param key the key in the registry and in Reactor contexts
     * @param storage the instance whose store travels
     * @param <T> the type of the store
     * @return the registered accessor
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is empty
     */
    public static <T> AsyncLocalThreadLocalAccessor<T> register(String key, AsyncLocalStorage<T> storage) {
        return register(ContextRegistry.getInstance(), key, storage);
    }

    /**
     * Registers an accessor for {@code storage} under {@code key} in {@code registry},
     * replacing any accessor registered under that key.
     *
     * @param registry the registry
     * @param key the key in the registry and in Reactor contexts
     * @param storage the instance whose store travels
     * @param <T> the type of the store
     * @return the registered accessor
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is empty
     */
    public static <T> AsyncLocalThreadLocalAccessor<T> register(ContextRegistry registry, String key, AsyncLocalStorage<T> storage) {
        Objects.requireNonNull(registry, "registry");
        AsyncLocalThreadLocalAccessor<T> accessor = new AsyncLocalThreadLocalAccessor<>(key, storage);
        registry.registerThreadLocalAccessor(accessor);
        return accessor;
    }

    /**
     * Registers an accessor for {@code storage} under a key of any type in {@code registry},
     * replacing any accessor registered under that key.
     *
     * @param registry the registry
     * @param key the key in the registry and in Reactor contexts
     * @param storage the instance whose store travels
     * @param <T> the type of the store
     * @return the registered accessor
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is an empty string
     */
    public static <T> AsyncLocalThreadLocalAccessor<T> register(ContextRegistry registry, Object key, AsyncLocalStorage<T> storage) {
        Objects.requireNonNull(registry, "registry");
        AsyncLocalThreadLocalAccessor<T> accessor = new AsyncLocalThreadLocalAccessor<>(key, storage);
        registry.registerThreadLocalAccessor(accessor);
        return accessor;
    }

    @Override
    public Object key() {
        return key;
    }

    /**
     * The instance this accessor reads and writes.
     *
     * @return the storage
     */
    public AsyncLocalStorage<T> storage() {
        return storage;
    }

    /**
     * The current store, or {@code null} where there is none or it is the default value.
     *
     * @return the value to capture
     */
    @Override
    public T getValue() {
        T store = storage.getStore();
        return store == defaultValue ? null : store;
    }

    /**
     * Makes {@code value} the store until the matching {@link #restore(Object)}.
     *
     * @param value the value from a snapshot or a Reactor context
     */
    @Override
    public void setValue(T value) {
        open(value);
    }

    /** Hides the store (shows the default value) until the matching {@link #restore}. */
    @Override
    public void setValue() {
        open(defaultValue);
    }

    /**
     * Ends the scope opened by the matching {@link #setValue}, giving back {@code previousValue}.
     *
     * @param previousValue what {@link #getValue()} returned before that {@code setValue}
     */
    @Override
    public void restore(T previousValue) {
        close(previousValue);
    }

    /** Ends the scope opened by the matching {@link #setValue} where there was no value before. */
    @Override
    public void restore() {
        close(null);
    }

    /**
     * Hides the store with thread-local semantics: the default value shows for the rest of the
     * current asynclocal scope. Micrometer itself calls {@link #setValue()} instead.
     */
    @Override
    public void reset() {
        storage.enterWith(defaultValue);
    }

    private void open(T value) {
        T previous = getValue();
        OpenScope enclosing = OPEN.getStore();
        AsyncLocalStorage.Scope scope = storage.withScope(value);
        // Recorded after withScope, so the saved context still holds the enclosing record.
        OPEN.enterWith(new OpenScope(this, previous, scope, Thread.currentThread(), enclosing));
    }

    private void close(T previous) {
        OpenScope innermost = OPEN.getStore();
        if (innermost != null && !innermost.closed && innermost.matches(this, previous)) {
            innermost.closed = true;
            innermost.scope.close();
            return;
        }
        for (OpenScope open = innermost; open != null; open = open.enclosing) {
            if (open.matches(this, previous)) {
                // Out of order (a scope opened after this one is still open), or closed again:
                // thread-local semantics. The record stays in the chain, closed, so an inner
                // scope still finds itself innermost when it closes.
                open.closed = true;
                storage.enterWith(previous != null ? previous : defaultValue);
                return;
            }
        }
        // Late, or on a thread that never opened it: the asynclocal scope it was opened in has
        // ended and restored the context already. Nothing is left to undo.
    }

    @Override
    public String toString() {
        return "AsyncLocalThreadLocalAccessor[" + key + " -> " + storage + "]";
    }

    /** One {@code setValue} not yet restored. */
    private static final class OpenScope {
        final AsyncLocalThreadLocalAccessor<?> accessor;
        final Object previous;
        final AsyncLocalStorage.Scope scope;
        final Thread thread;
        /** The record that was innermost when this one opened; {@code null} for the outermost. */
        final OpenScope enclosing;
        /** Read and written only on {@link #thread}. */
        boolean closed;

        OpenScope(AsyncLocalThreadLocalAccessor<?> accessor, Object previous, AsyncLocalStorage.Scope scope,
                Thread thread, OpenScope enclosing) {
            this.accessor = accessor;
            this.previous = previous;
            this.scope = scope;
            this.thread = thread;
            this.enclosing = enclosing;
        }

        /**
         * Whether a restore by {@code accessor} with {@code previous} is the restore of this
         * scope: same thread (other threads may see this record in a captured context, but only
         * the opening thread touches {@code closed}), same accessor, same previous value.
         */
        boolean matches(AsyncLocalThreadLocalAccessor<?> accessor, Object previous) {
            return thread == Thread.currentThread() && this.accessor == accessor && this.previous == previous;
        }
    }
}
