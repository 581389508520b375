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
 *   <li>Otherwise (scopes closed out of order, or a restore on a thread that never saw the
 *       {@code setValue}), it falls back to thread-local semantics: the store is set to the
 *       previous value Micrometer passes (to the default value for {@code restore()}), for the
 *       rest of the current asynclocal scope. Values are right; the context may keep an entry
 *       holding the previous value until its enclosing scope ends.</li>
 * </ul>
 * A Micrometer scope must be closed inside the asynclocal scope (the {@code run}, task or
 * snapshot) it was opened in; closing it after that scope has ended has no effect, because the
 * end of an asynclocal scope already restored the context as it was.
 *
 * @param <T> the type of the store
 */
public class AsyncLocalThreadLocalAccessor<T> implements ThreadLocalAccessor<T> {
    /**
     * The Micrometer scopes open in the current context, innermost last; one per
     * {@link #setValue}, shared by all accessors so that nesting across them is seen.
     */
    private static final AsyncLocalStorage<OpenScope> OPEN = new AsyncLocalStorage<>("micrometer-scopes");

    private final String key;
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
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
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

    private void open(T value) {
        T previous = getValue();
        AsyncLocalStorage.Scope scope = storage.withScope(value);
        // Recorded after withScope, so the saved context still holds the enclosing record.
        OPEN.enterWith(new OpenScope(this, previous, scope, Thread.currentThread()));
    }

    private void close(T previous) {
        OpenScope innermost = OPEN.getStore();
        if (innermost != null && innermost.matches(this, previous)) {
            innermost.closed = true;
            innermost.scope.close();
            return;
        }
        // Out of order: the saved context of any open record may now hold stale values, so none
        // is trusted again in this context; values follow thread-local semantics from here.
        storage.enterWith(previous != null ? previous : defaultValue);
        OPEN.enterWith(null);
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
        /** Read and written only on {@link #thread}. */
        boolean closed;

        OpenScope(AsyncLocalThreadLocalAccessor<?> accessor, Object previous, AsyncLocalStorage.Scope scope, Thread thread) {
            this.accessor = accessor;
            this.previous = previous;
            this.scope = scope;
            this.thread = thread;
        }

        /**
         * Whether a restore by {@code accessor} with {@code previous} closes this scope: same
         * thread (checked first: other threads may see this record in a captured context, but
         * only the opening thread touches {@code closed}), same accessor, same previous value,
         * not closed yet.
         */
        boolean matches(AsyncLocalThreadLocalAccessor<?> accessor, Object previous) {
            return thread == Thread.currentThread() && !closed && this.accessor == accessor && this.previous == previous;
        }
    }
}
