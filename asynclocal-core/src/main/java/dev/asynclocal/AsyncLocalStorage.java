package dev.asynclocal;

import dev.asynclocal.internal.AsyncOperation;
import dev.asynclocal.internal.Bound;
import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.FrameKey;
import dev.asynclocal.internal.ThreadState;
import dev.asynclocal.internal.diagnostics.LossDetection;
import dev.asynclocal.internal.diagnostics.ScopeEntries;
import dev.asynclocal.internal.diagnostics.StrictMode;
import java.nio.channels.CompletionHandler;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A value that follows a piece of work through every asynchronous hop: Node.js's
 * {@code AsyncLocalStorage}, for the JVM.
 *
 * <p>Each instance has its own <em>store</em> in the current context. {@link #run(Object, Runnable)}
 * sets it for the duration of a call, and every asynchronous operation created inside that call
 * (a task submitted through {@link AsyncExecutors}, a stage of an {@link AsyncCompletableFuture},
 * a function captured with {@link #bind(Runnable)} or {@link #snapshot()}, an
 * {@link AsyncResource}) sees the same store when it runs, on whatever thread. Code outside the
 * call, and work that belongs to another call, never sees it.
 * <pre>{@code
 * static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
 *
 * REQUEST_ID.run("r-1", () -> {
 *     log("start");                                  // r-1: start
 *     pool.execute(() -> log("finish"));             // r-1: finish, on a pool thread
 * });
 * static void log(String msg) { System.out.println(REQUEST_ID.getStore() + ": " + msg); }
 * }</pre>
 * (with {@code pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(4))}).
 *
 * <p>The model: every thread has a current context, an immutable map from instances to stores.
 * {@code run} installs a copy with one entry changed and restores the previous context when the
 * call returns or throws. Capturing a context copies one reference, so it costs the same whether
 * one or a thousand instances are in use. Instances are independent: {@code run} on one never
 * changes the store of another, and there is no global registry, so an instance that nothing
 * references any more is garbage-collected together with its stores.
 *
 * <p>{@code null} is a legal store, like {@code undefined} in Node: {@code run(null, fn)} makes
 * {@link #getStore()} return {@code null} inside {@code fn}, not the default value.
 *
 * @param <T> the type of the store
 */
public final class AsyncLocalStorage<T> {
    private final String name;
    private final T defaultValue;

    /**
     * The key of this instance's entries in frames. Replaced by {@link #disable()}: entries under an
     * older key are simply never found again, in any frame, with no frame touched.
     */
    private volatile FrameKey key = new FrameKey();

    /**
     * Set by {@link ContextLossDetector#expectStore}: a read without a store is then worth a look
     * by the detector. Plain, and read only on the path where no store was found.
     */
    private boolean lossExpected;

    static {
        // -Dasynclocal.detectLoss=true: the detector is on before the first store is ever set.
        // Nothing can lose a context before this class is used, so this is early enough.
        if (Boolean.parseBoolean(readProperty(LossDetection.PROPERTY))) {
            try {
                LossDetection.enable();
            } catch (RuntimeException | LinkageError e) {
                // A security manager that forbids stack walking with class references, say: the
                // library must work without its diagnostics.
                System.err.println("asynclocal: -D" + LossDetection.PROPERTY + "=true ignored: " + e);
            }
        }
    }

    /** Creates an instance with the name {@code ""} and the default value {@code null}. */
    public AsyncLocalStorage() {
        this("", null);
    }

    /**
     * Creates an instance with a name (for diagnostics) and the default value {@code null}.
     *
     * @param name the name {@link #name()} returns
     * @throws NullPointerException if {@code name} is {@code null}
     */
    public AsyncLocalStorage(String name) {
        this(name, null);
    }

    /**
     * Creates an instance with a name and the value {@link #getStore()} returns where no store is
     * set (Node's {@code defaultValue} option).
     *
     * @param name the name {@link #name()} returns
     * @param defaultValue what {@link #getStore()} returns outside any {@code run} or
     *     {@code enterWith} of this instance; may be {@code null}
     * @throws NullPointerException if {@code name} is {@code null}
     */
    public AsyncLocalStorage(String name, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = defaultValue;
    }

    /**
     * The name given at construction, {@code ""} if none.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns this instance's store in the current context: the value of the innermost
     * {@link #run} or {@link #enterWith} on this instance that the current code belongs to, or
     * the default value when there is none (and after {@link #disable()}).
     *
     * @implNote One thread-local read and a scan of the current frame by identity: no allocation,
     *     no lock, no write to shared memory.
     * @return the current store, possibly {@code null}
     */
    @SuppressWarnings("unchecked")
    public T getStore() {
        Object store = ThreadState.lookup(key);
        if (store != Frame.ABSENT) {
            return (T) store;
        }
        if (lossExpected && LossDetection.isEnabled()) {
            LossDetection.readWithoutStore(this, name);
        }
        return defaultValue;
    }

    /**
     * Runs {@code fn} synchronously with {@code store} as this instance's store, then restores
     * the whole previous context, whether {@code fn} returns or throws. Asynchronous operations
     * created inside {@code fn} keep seeing {@code store} wherever they run. An
     * {@link #enterWith} made inside {@code fn}, on any instance, ends with {@code fn}.
     *
     * @param store the store; {@code null} is allowed
     * @param fn the code to run
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public void run(T store, Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        Frame previous = ThreadState.enterWithStore(key, store);
        try {
            fn.run();
        } finally {
            ThreadState.exit(previous);
        }
    }

    /**
     * Like {@link #run(Object, Runnable)}, returning what {@code fn} returns. A checked exception
     * thrown by {@code fn} propagates unchanged.
     * <pre>{@code
     * User user = CURRENT_USER.run(alice, () -> repository.load(id));
     * }</pre>
     *
     * @param store the store; {@code null} is allowed
     * @param fn the code to run
     * @param <R> the result type
     * @param <X> the exception type {@code fn} may throw
     * @return the result of {@code fn}
     * @throws X what {@code fn} throws
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public <R, X extends Throwable> R run(T store, CallableOp<? extends R, X> fn) throws X {
        Objects.requireNonNull(fn, "fn");
        Frame previous = ThreadState.enterWithStore(key, store);
        try {
            return fn.call();
        } finally {
            ThreadState.exit(previous);
        }
    }

    /**
     * Runs {@code fn} with no store for this instance: {@link #getStore()} returns the default
     * value inside, and so does every asynchronous operation created there. Other instances keep
     * their stores. The whole previous context is restored afterwards.
     *
     * @param fn the code to run
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public void exit(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        Frame previous = ThreadState.enterWithoutStore(key);
        try {
            fn.run();
        } finally {
            ThreadState.exit(previous);
        }
    }

    /**
     * Like {@link #exit(Runnable)}, returning what {@code fn} returns.
     *
     * @param fn the code to run
     * @param <R> the result type
     * @param <X> the exception type {@code fn} may throw
     * @return the result of {@code fn}
     * @throws X what {@code fn} throws
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public <R, X extends Throwable> R exit(CallableOp<? extends R, X> fn) throws X {
        Objects.requireNonNull(fn, "fn");
        Frame previous = ThreadState.enterWithoutStore(key);
        try {
            return fn.call();
        } finally {
            ThreadState.exit(previous);
        }
    }

    /**
     * Makes {@code store} current for the rest of the current synchronous execution, and for
     * every asynchronous operation created after this call in it.
     *
     * <p>"The current synchronous execution" ends where the code that set up the current context
     * restores it: the enclosing {@link #run}, the task or stage being run by a propagating
     * executor or future, {@link Snapshot#run}, {@link AsyncResource#runInAsyncScope}, or the
     * {@link Scope} of {@link #withScope}. Nothing undoes it before that; there is no stack of
     * {@code enterWith} values. On a thread that runs outside any of those (a {@code main}
     * method, a thread you started yourself), the store stays until the thread ends, so prefer
     * {@link #run} or {@link #withScope}, which end on their own, wherever you can.
     * <pre>{@code
     * // A servlet filter that cannot wrap the rest of the chain in a lambda:
     * REQUEST_ID.enterWith(id);   // visible to the rest of this request's processing
     * }</pre>
     *
     * @param store the store; {@code null} is allowed
     */
    public void enterWith(T store) {
        Frame previous = ThreadState.enterWithStore(key, store);
        ScopeEntries.Listener listener = ScopeEntries.listener();
        if (listener != null) {
            ScopeEntries.notify(listener, this, store, ThreadState.state(), previous, ThreadState.frame(), false);
        }
    }

    /**
     * Like {@link #enterWith}, but returns a {@link Scope} whose {@link Scope#close()} puts the
     * context back as it was before this call (Node's {@code withScope}). Made for
     * try-with-resources:
     * <pre>{@code
     * try (AsyncLocalStorage.Scope ignored = REQUEST_ID.withScope("r-7")) {
     *     handle(request);           // and everything it starts asynchronously sees "r-7"
     * }                              // the previous store is back here
     * }</pre>
     *
     * @param store the store; {@code null} is allowed
     * @return the scope to close on the same thread
     */
    public Scope withScope(T store) {
        // Strict mode walks the stack first: if that fails, the context has not been touched.
        StackTraceElement[] openSite = StrictMode.ENABLED ? StrictMode.opened() : null;
        Frame previous = ThreadState.enterWithStore(key, store);
        ScopeEntries.Listener listener = ScopeEntries.listener();
        if (listener != null) {
            ScopeEntries.notify(listener, this, store, ThreadState.state(), previous, ThreadState.frame(), true);
        }
        return new RestoringScope(previous, openSite);
    }

    /**
     * Hides every store of this instance: from now on {@link #getStore()} returns the default
     * value in every context, including contexts captured earlier by pending tasks, until
     * {@link #run} or {@link #enterWith} is called on this instance again. Stores set before the
     * call never become visible again, and they can be garbage-collected as soon as no captured
     * context holds them. Other instances are not affected.
     */
    public void disable() {
        key = new FrameKey();
    }

    /**
     * Captures the whole current context (the stores of every instance) so that code can run in
     * it later, anywhere. See {@link Snapshot}.
     *
     * @return the captured context
     */
    public static Snapshot snapshot() {
        return Snapshot.capture();
    }

    /**
     * Returns {@code fn} bound to the current context: whenever and wherever the result runs,
     * {@code fn} sees the stores that were current at the time of {@code bind}, and the caller's
     * context is restored afterwards. Equivalent to {@code snapshot().wrap(fn)}.
     * <pre>{@code
     * Runnable task = REQUEST_ID.run("r-3", () -> AsyncLocalStorage.bind(() -> log("done")));
     * new Thread(task).start();      // prints "r-3: done"
     * }</pre>
     *
     * @param fn the function to bind
     * @return the bound function
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public static Runnable bind(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        // One object holding the frame and fn; with a hook enabled it is a "Snapshot" resource.
        return Bound.runnable(fn, Snapshot.TYPE, AsyncOperation.FINISH_EXTERNALLY);
    }

    /**
     * Returns {@code fn} bound to the current context; see {@link #bind(Runnable)}.
     *
     * @param fn the function to bind
     * @param <V> the result type
     * @return the bound function
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public static <V> Callable<V> bind(Callable<V> fn) {
        Objects.requireNonNull(fn, "fn");
        return Bound.callable(fn, Snapshot.TYPE, AsyncOperation.FINISH_EXTERNALLY);
    }

    /**
     * Returns {@code handler} bound to the current context: {@code completed} or {@code failed}
     * runs in the stores current at the time of {@code bind}, on whatever thread the channel
     * calls it. For asynchronous channels ({@code AsynchronousSocketChannel},
     * {@code AsynchronousServerSocketChannel}, {@code AsynchronousFileChannel}) without the agent;
     * with the agent the channels bind their handlers themselves.
     * <pre>{@code
     * REQUEST_ID.run("r-4", () ->
     *         channel.read(buffer, null, AsyncLocalStorage.bind(handler)));  // handler sees "r-4"
     * }</pre>
     *
     * @param handler the handler to bind
     * @param <V> the result type
     * @param <A> the attachment type
     * @return the bound handler
     * @throws NullPointerException if {@code handler} is {@code null}
     */
    public static <V, A> CompletionHandler<V, A> bind(CompletionHandler<V, A> handler) {
        Objects.requireNonNull(handler, "handler");
        return Bound.completionHandler(handler, AsyncOperation.COMPLETION_HANDLER);
    }

    /** See {@link ContextLossDetector#expectStore}. */
    void expectStore() {
        lossExpected = true;
    }

    private static String readProperty(String name) {
        try {
            return System.getProperty(name);
        } catch (SecurityException denied) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "AsyncLocalStorage[" + name + "]";
    }

    /**
     * The scope opened by {@link #withScope}; closing it restores the context that was current
     * before {@code withScope}. {@link #close()} is idempotent and throws no checked exception.
     */
    public interface Scope extends AutoCloseable {
        /**
         * Restores the context that was current before the {@code withScope} call that opened
         * this scope. Calling it again does nothing.
         *
         * <p>Scopes are meant to close innermost first, as try-with-resources does. Closed out of
         * order, this scope still restores the context saved when it was opened, discarding
         * what any scope opened after it set. Under {@code -Dasynclocal.strict=true} (strict
         * mode) an out-of-order close throws instead, naming where the still-open inner scope
         * and this one were opened, and changes nothing.
         *
         * @throws IllegalStateException if called on a thread other than the one that opened
         *     the scope (the context of neither thread is changed); in strict mode also if a
         *     scope opened after this one on the same thread is still open
         */
        @Override
        void close();
    }
}
