package dev.asynclocal;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.Hooks;
import dev.asynclocal.internal.ThreadState;
import dev.asynclocal.internal.diagnostics.StrictMode;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A captured context: the stores of every {@link AsyncLocalStorage} at the moment of
 * {@link AsyncLocalStorage#snapshot()}, to run code in later (Node's
 * {@code AsyncLocalStorage.snapshot()}, TC39's {@code AsyncContext.Snapshot}).
 *
 * <p>Use it when you hand work to something that runs it later, on its own thread, and does not
 * propagate context by itself: a callback queue, a listener list, a connection pool's completion
 * thread. Capture where the work is registered; run it where the work is done.
 * <pre>{@code
 * // registration, inside the request's context
 * Snapshot requestContext = AsyncLocalStorage.snapshot();
 * listeners.add(event -> requestContext.run(() -> log("got " + event)));
 *
 * // later, on the library's own thread: the log line carries the request's id
 * }</pre>
 *
 * <p>A snapshot is immutable and may be run any number of times, on any number of threads at
 * once. Running it replaces the <em>whole</em> context for the duration of the call (stores of
 * every instance), then restores the caller's whole context, so an
 * {@link AsyncLocalStorage#enterWith} made inside does not outlive the call.
 *
 * @implNote Capturing reads one reference, whatever the number of instances. While an
 *     {@link AsyncHook} is enabled, a snapshot is also an async resource of type
 *     {@code "Snapshot"}, so hooks see it like Node's {@code AsyncResource.bind}.
 */
public final class Snapshot {
    /** The resource type hooks see for snapshots and bound functions. */
    static final String TYPE = "Snapshot";

    private final Frame frame;
    /** Non-null when a hook was enabled at capture time: then running emits before/after. */
    private final AsyncResource resource;

    private Snapshot(Frame frame, AsyncResource resource) {
        this.frame = frame;
        this.resource = resource;
    }

    private static final Snapshot EMPTY = new Snapshot(Frame.EMPTY, null);

    /**
     * The empty context: running in it, no instance has a store (each {@code getStore()} returns
     * its default value). For code that must make sure work runs in no request's context, such as
     * a long-lived thread started from inside a request:
     * {@code Snapshot.empty().run(() -> worker.start())}.
     *
     * @return the snapshot of the empty context
     */
    public static Snapshot empty() {
        return EMPTY;
    }

    static Snapshot capture() {
        Frame frame = ThreadState.frame();
        if (Hooks.anyEnabled()) {
            return new Snapshot(frame, new AsyncResource(ThreadState.state(), TYPE));
        }
        return new Snapshot(frame, null);
    }

    /**
     * Runs {@code fn} in the captured context, then restores the caller's context (also when
     * {@code fn} throws).
     *
     * @param fn the code to run
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public void run(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        if (resource != null) {
            resource.runInAsyncScope(fn);
            return;
        }
        Frame previous = ThreadState.enter(frame);
        try {
            fn.run();
        } finally {
            ThreadState.exit(previous);
        }
    }

    /**
     * Runs {@code fn} in the captured context and returns its result; the caller's context is
     * restored afterwards. A checked exception thrown by {@code fn} propagates unchanged.
     *
     * @param fn the code to run
     * @param <R> the result type
     * @param <X> the exception type {@code fn} may throw
     * @return the result of {@code fn}
     * @throws X what {@code fn} throws
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public <R, X extends Throwable> R run(CallableOp<? extends R, X> fn) throws X {
        Objects.requireNonNull(fn, "fn");
        if (resource != null) {
            return resource.runInAsyncScope(fn);
        }
        Frame previous = ThreadState.enter(frame);
        try {
            return fn.call();
        } finally {
            ThreadState.exit(previous);
        }
    }

    /**
     * Makes the captured context the current one until the returned scope is closed, then puts
     * back exactly the context that was current before: {@link #run} for integrations whose
     * "before" and "after" are two separate callbacks (a coroutine's resume and suspension, a
     * framework's attach and detach, an interceptor's before and after). The scope follows the
     * rules of {@link AsyncLocalStorage#withScope}: close it once, on the same thread, innermost
     * first (strict mode checks). Everywhere else prefer {@link #run}.
     * <pre>{@code
     * AsyncLocalStorage.Scope scope = snapshot.attach();   // in the framework's "before"
     * ...
     * scope.close();                                       // in its "after"
     * }</pre>
     * Unlike {@code run}, attaching is only a switch of context: while a hook is enabled, hooks
     * see no {@code before}/{@code after} for it.
     *
     * @return the scope whose {@code close()} restores the previous context
     */
    public AsyncLocalStorage.Scope attach() {
        // Strict mode walks the stack first: if that fails, the context has not been touched.
        StackTraceElement[] openSite = StrictMode.ENABLED ? StrictMode.opened() : null;
        return new RestoringScope(ThreadState.enter(frame), openSite);
    }

    /**
     * Returns {@code fn} bound to the captured context: each time the result runs, on any
     * thread, {@code fn} runs as {@link #run(Runnable)} would run it.
     *
     * @param fn the function to bind
     * @return the bound function
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public Runnable wrap(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        return () -> run(fn);
    }

    /**
     * Returns {@code fn} bound to the captured context; see {@link #wrap(Runnable)}.
     *
     * @param fn the function to bind
     * @param <V> the result type
     * @return the bound function
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public <V> Callable<V> wrap(Callable<V> fn) {
        Objects.requireNonNull(fn, "fn");
        return () -> run(fn::call);
    }

    /** The captured frame; for the library's own propagation code and tests. */
    Frame frame() {
        return frame;
    }

    @Override
    public String toString() {
        return "Snapshot[" + frame.size() + " stores]";
    }
}
