package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the agent adds to {@code CompletableFuture}: the registration-context rule of
 * {@code AsyncCompletableFuture} for every future.
 *
 * <p>Each public method that takes a callback ({@code thenApply}, {@code whenComplete},
 * {@code exceptionallyCompose}, each {@code *Async} form, {@code completeAsync}, the static
 * {@code supplyAsync}/{@code runAsync}) binds the callback to the context current where it is
 * called, exactly as {@code AsyncCompletableFuture} does (same wrappers, same resource type, same
 * {@code promiseResolve}/{@code destroy} when the returned future completes), and hands the bound
 * callback on; the future keeps its identity and class.
 *
 * <p>A callback registered in an empty context with no hook enabled is not wrapped (nothing is
 * allocated). For it to still run in its registration context, the empty one, rather than in the
 * context of whichever thread completes the future, {@code postComplete()} (the method through
 * which a completing thread runs the dependents) runs with the empty context; wrapped callbacks
 * install their own.
 */
public final class FutureSupport {
    /**
     * {@code orTimeout}/{@code completeOnTimeout} register this class's instances with
     * {@code whenComplete} to cancel their timer: library plumbing, not a stage of the user's.
     */
    private static final Class<?> CANCELLER = jdkClass("java.util.concurrent.CompletableFuture$Canceller");

    private FutureSupport() {
    }

    private static Class<?> jdkClass(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static boolean capturing(Object fn) {
        return fn != null && !Propagation.passesThrough(fn) && Propagation.capturing();
    }

    /**
     * A {@code Function} argument of a stage method.
     *
     * @param fn the callback
     * @param type the resource type
     * @param <T> the argument type
     * @param <R> the result type
     * @return the bound callback, or {@code fn} itself
     */
    public static <T, R> Function<T, R> function(Function<T, R> fn, String type) {
        return capturing(fn) ? Engine.function(fn, type) : fn;
    }

    /**
     * A {@code BiFunction} argument of a stage method.
     *
     * @param fn the callback
     * @param type the resource type
     * @param <T> the first argument type
     * @param <U> the second argument type
     * @param <R> the result type
     * @return the bound callback, or {@code fn} itself
     */
    public static <T, U, R> BiFunction<T, U, R> biFunction(BiFunction<T, U, R> fn, String type) {
        return capturing(fn) ? Engine.biFunction(fn, type) : fn;
    }

    /**
     * A {@code Consumer} argument of a stage method.
     *
     * @param action the callback
     * @param type the resource type
     * @param <T> the argument type
     * @return the bound callback, or {@code action} itself
     */
    public static <T> Consumer<T> consumer(Consumer<T> action, String type) {
        return capturing(action) ? Engine.consumer(action, type) : action;
    }

    /**
     * A {@code BiConsumer} argument of a stage method; the library's own observers and the JDK's
     * timeout cancellers are left alone.
     *
     * @param action the callback
     * @param type the resource type
     * @param <T> the first argument type
     * @param <U> the second argument type
     * @return the bound callback, or {@code action} itself
     */
    public static <T, U> BiConsumer<T, U> biConsumer(BiConsumer<T, U> action, String type) {
        if (action != null && action.getClass() == CANCELLER) {
            return action;
        }
        return capturing(action) ? Engine.biConsumer(action, type) : action;
    }

    /**
     * A {@code Runnable} argument of a stage method.
     *
     * @param action the callback
     * @param type the resource type
     * @return the bound callback, or {@code action} itself
     */
    public static Runnable runnable(Runnable action, String type) {
        return capturing(action)
                ? Engine.runnable(action, type, Engine.FINISH_EXTERNALLY)
                : action;
    }

    /**
     * A {@code Supplier} argument ({@code supplyAsync}, {@code completeAsync}).
     *
     * @param supplier the callback
     * @param type the resource type
     * @param <T> the result type
     * @return the bound callback, or {@code supplier} itself
     */
    public static <T> Supplier<T> supplier(Supplier<T> supplier, String type) {
        return capturing(supplier) ? Engine.supplier(supplier, type) : supplier;
    }

    /**
     * After a stage method bound a callback: while the callback is an async resource, watches the
     * future the method returned so that the resource gets {@code promiseResolve} and
     * {@code destroy} when it completes; if the method threw, the callback will never run and its
     * resource ends now.
     *
     * @param bound the bound callback (a capture) made on entry, or {@code null}
     * @param returned what the method returned
     * @param thrown what it threw, or {@code null}
     */
    public static void registered(Object bound, Object returned, Throwable thrown) {
        if (!Engine.isCapture(bound)) {
            return;
        }
        Object callback = bound;
        if (!Engine.isResource(callback)) {
            return;
        }
        if (thrown != null || !(returned instanceof CompletionStage)) {
            Engine.finish(callback);
            return;
        }
        ((CompletionStage<?>) returned).whenComplete(new Resolved(callback));
    }

    /**
     * {@code postComplete()} is starting: dependents run from here in the empty context unless
     * their own capture says otherwise.
     *
     * @return the frame to restore, or {@code null} if the context was already empty
     */
    public static Object beginDependents() {
        if (Engine.inEmptyContext()) {
            return null;
        }
        return Engine.enter(Engine.emptyFrame());
    }

    /**
     * Pairs with {@link #beginDependents()}.
     *
     * @param saved what {@code beginDependents} returned, not {@code null}
     */
    public static void endDependents(Object saved) {
        Engine.exit(saved);
    }

    /** Ends a stage's resource when its future completes. */
    private static final class Resolved implements BiConsumer<Object, Throwable>, Engine.PassThrough {
        private final Object callback;

        Resolved(Object callback) {
            this.callback = callback;
        }

        @Override
        public void accept(Object value, Throwable failure) {
            Engine.resolved(callback);
        }
    }
}
