package dev.asynclocal;

import dev.asynclocal.internal.AsyncOperation;
import dev.asynclocal.internal.Engine;
import dev.asynclocal.internal.StageCallback;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link CompletableFuture} whose callbacks run in the context where they were
 * <em>registered</em>, as a {@code .then} callback of a JavaScript promise does in Node.js: never
 * in the context of whoever completed the future.
 * <pre>{@code
 * static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>();
 *
 * AsyncCompletableFuture<Order> order = new AsyncCompletableFuture<>();
 * USER.run("alice", () -> order.thenAccept(o -> audit(USER.getStore(), o)));  // audit sees "alice"...
 * USER.run("bob", () -> order.complete(loaded));                              // ...although bob completed it
 * }</pre>
 *
 * <p>Every method that takes a callback (each stage method of {@link CompletionStage} in all its
 * forms, and {@code completeAsync}) captures the current context when it is called; the callback
 * runs in it on whatever thread runs it, and that thread gets its own context back afterwards.
 * Every future this class creates is an {@code AsyncCompletableFuture} too (the static factories'
 * included), so a whole chain propagates; {@link #from(CompletionStage)} adapts any other stage.
 *
 * <p>While an {@link AsyncHook} is enabled, each callback is an async resource of type
 * {@code "CompletableFuture"}: {@code init} where it is registered (triggered by the registering
 * code's {@link AsyncHooks#executionAsyncId()}), {@code before}/{@code after} around the callback,
 * and {@code promiseResolve} then {@code destroy} once the future the method returned completes
 * (a callback that never runs gets {@code init}, {@code promiseResolve} and {@code destroy} only).
 * The design, and how this trace follows Node's for {@code promise.then}: docs/design.md,
 * "AsyncCompletableFuture".
 *
 * @apiNote While a hook is enabled, each stage registers one more internal dependent to observe
 *     its completion, which {@link #getNumberOfDependents()} counts. On Java 19 and later,
 *     {@code state()} of a {@link #minimalCompletionStage()} answers instead of throwing.
 * @implNote With no hook enabled, registering a stage allocates one wrapper object beyond what
 *     {@code CompletableFuture} allocates, and running it reads and writes one reference.
 * @param <T> the result type
 */
public class AsyncCompletableFuture<T> extends CompletableFuture<T> {
    /** {@code CompletableFuture}'s own default async executor, propagating. */
    private static final Executor DEFAULT_EXECUTOR = AsyncExecutors.wrap(new CompletableFuture<Void>().defaultExecutor());

    /**
     * The class of the timer canceller that {@code orTimeout}/{@code completeOnTimeout} register
     * with {@code whenComplete}; {@code null} if a JDK names it otherwise (then it is merely
     * traced like any stage).
     */
    private static final Class<?> CANCELLER = jdkClass("java.util.concurrent.CompletableFuture$Canceller");

    /** Creates a new incomplete future. */
    public AsyncCompletableFuture() {
    }

    private static Class<?> jdkClass(String name) {
        try {
            return Class.forName(name, false, CompletableFuture.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- static factories

    /**
     * Returns a future completed by {@code supplier}, run by the {@linkplain #defaultExecutor()
     * default executor} in the context current now.
     *
     * @param supplier the function computing the value
     * @param <U> the value type
     * @return the new future
     * @throws NullPointerException if {@code supplier} is {@code null}
     */
    public static <U> AsyncCompletableFuture<U> supplyAsync(Supplier<U> supplier) {
        return new AsyncCompletableFuture<U>().completeAsync(supplier);
    }

    /**
     * Returns a future completed by {@code supplier}, run by {@code executor} in the context
     * current now.
     *
     * @param supplier the function computing the value
     * @param executor the executor that runs it
     * @param <U> the value type
     * @return the new future
     * @throws NullPointerException if {@code supplier} or {@code executor} is {@code null}
     */
    public static <U> AsyncCompletableFuture<U> supplyAsync(Supplier<U> supplier, Executor executor) {
        return new AsyncCompletableFuture<U>().completeAsync(supplier, executor);
    }

    /**
     * Returns a future completed after {@code runnable} ran on the
     * {@linkplain #defaultExecutor() default executor}, in the context current now.
     *
     * @param runnable the action
     * @return the new future
     * @throws NullPointerException if {@code runnable} is {@code null}
     */
    public static AsyncCompletableFuture<Void> runAsync(Runnable runnable) {
        return new AsyncCompletableFuture<Void>().completeAsync(new RunSupplier(runnable));
    }

    /**
     * Returns a future completed after {@code runnable} ran on {@code executor}, in the context
     * current now.
     *
     * @param runnable the action
     * @param executor the executor that runs it
     * @return the new future
     * @throws NullPointerException if {@code runnable} or {@code executor} is {@code null}
     */
    public static AsyncCompletableFuture<Void> runAsync(Runnable runnable, Executor executor) {
        return new AsyncCompletableFuture<Void>().completeAsync(new RunSupplier(runnable), executor);
    }

    /**
     * Adapts any stage: returns a future that completes as {@code stage} does, with its value or
     * its exception, and whose own stages propagate. An {@code AsyncCompletableFuture} is
     * returned as is (a minimal stage is adapted like any other).
     *
     * @param stage the stage to follow
     * @param <T> the value type
     * @return a propagating future completing with {@code stage}
     * @throws NullPointerException if {@code stage} is {@code null}
     */
    public static <T> AsyncCompletableFuture<T> from(CompletionStage<T> stage) {
        Objects.requireNonNull(stage, "stage");
        if (stage instanceof AsyncCompletableFuture && !(stage instanceof StageOnlyFuture)) {
            return (AsyncCompletableFuture<T>) stage;
        }
        AsyncCompletableFuture<T> future = new AsyncCompletableFuture<>();
        Relay<T> relay = new Relay<>(future, false);
        if (stage instanceof AsyncCompletableFuture) {
            ((AsyncCompletableFuture<T>) stage).observe(relay);
        } else {
            stage.whenComplete(relay);
        }
        return future;
    }

    /**
     * Returns a future already completed with {@code value}.
     *
     * @param value the value
     * @param <U> the value type
     * @return the completed future
     */
    public static <U> AsyncCompletableFuture<U> completedFuture(U value) {
        AsyncCompletableFuture<U> future = new AsyncCompletableFuture<>();
        future.complete(value);
        return future;
    }

    /**
     * Returns a future already completed exceptionally with {@code ex}.
     *
     * @param ex the exception
     * @param <U> the value type
     * @return the failed future
     * @throws NullPointerException if {@code ex} is {@code null}
     */
    public static <U> AsyncCompletableFuture<U> failedFuture(Throwable ex) {
        Objects.requireNonNull(ex, "ex");
        AsyncCompletableFuture<U> future = new AsyncCompletableFuture<>();
        future.completeExceptionally(ex);
        return future;
    }

    /**
     * Returns a minimal stage (only {@link CompletionStage} methods) already completed with
     * {@code value}, whose stages propagate.
     *
     * @param value the value
     * @param <U> the value type
     * @return the completed stage
     */
    public static <U> CompletionStage<U> completedStage(U value) {
        StageOnlyFuture<U> stage = new StageOnlyFuture<>();
        stage.relay(value, null);
        return stage;
    }

    /**
     * Returns a minimal stage already completed exceptionally with {@code ex}, whose stages
     * propagate.
     *
     * @param ex the exception
     * @param <U> the value type
     * @return the failed stage
     * @throws NullPointerException if {@code ex} is {@code null}
     */
    public static <U> CompletionStage<U> failedStage(Throwable ex) {
        Objects.requireNonNull(ex, "ex");
        StageOnlyFuture<U> stage = new StageOnlyFuture<>();
        stage.relay(null, ex);
        return stage;
    }

    /**
     * {@link CompletableFuture#allOf}, returning a propagating future.
     *
     * @param cfs the futures
     * @return a future completed when all of {@code cfs} are
     * @throws NullPointerException if the array or any element is {@code null}
     */
    public static AsyncCompletableFuture<Void> allOf(CompletableFuture<?>... cfs) {
        return from(CompletableFuture.allOf(cfs));
    }

    /**
     * {@link CompletableFuture#anyOf}, returning a propagating future.
     *
     * @param cfs the futures
     * @return a future completed when any of {@code cfs} is, with its result
     * @throws NullPointerException if the array or any element is {@code null}
     */
    public static AsyncCompletableFuture<Object> anyOf(CompletableFuture<?>... cfs) {
        return from(CompletableFuture.anyOf(cfs));
    }

    /**
     * {@link CompletableFuture#delayedExecutor(long, TimeUnit)}, propagating: each task runs,
     * after the delay, in the context current where it was given to the executor.
     *
     * @param delay how long to delay, in units of {@code unit}
     * @param unit the unit of {@code delay}
     * @return the delayed, propagating executor
     * @throws NullPointerException if {@code unit} is {@code null}
     */
    public static Executor delayedExecutor(long delay, TimeUnit unit) {
        return AsyncExecutors.wrap(CompletableFuture.delayedExecutor(delay, unit), AsyncOperation.SCHEDULED_TASK);
    }

    /**
     * {@link CompletableFuture#delayedExecutor(long, TimeUnit, Executor)}, propagating: each task
     * runs on {@code executor}, after the delay, in the context current where it was given to the
     * returned executor.
     *
     * @param delay how long to delay, in units of {@code unit}
     * @param unit the unit of {@code delay}
     * @param executor the base executor
     * @return the delayed, propagating executor
     * @throws NullPointerException if {@code unit} or {@code executor} is {@code null}
     */
    public static Executor delayedExecutor(long delay, TimeUnit unit, Executor executor) {
        return AsyncExecutors.wrap(CompletableFuture.delayedExecutor(delay, unit, executor), AsyncOperation.SCHEDULED_TASK);
    }

    // ---------------------------------------------------------------- plumbing overrides

    /**
     * Returns a new incomplete {@code AsyncCompletableFuture}: every dependent future this class
     * creates is one, so chains keep propagating. Subclasses overriding this must return a
     * (subclass of) {@code AsyncCompletableFuture}, which the return type enforces.
     *
     * @param <U> the value type
     * @return a new future
     */
    @Override
    public <U> AsyncCompletableFuture<U> newIncompleteFuture() {
        return new AsyncCompletableFuture<>();
    }

    /**
     * Returns {@code CompletableFuture}'s default async executor wrapped by
     * {@link AsyncExecutors#wrap(Executor)}; the {@code *Async} methods without an executor use
     * it.
     *
     * @return the propagating default executor
     */
    @Override
    public Executor defaultExecutor() {
        return DEFAULT_EXECUTOR;
    }

    /**
     * As {@link CompletableFuture#copy()}, returning a propagating future.
     *
     * @return the copy
     */
    @Override
    public AsyncCompletableFuture<T> copy() {
        return (AsyncCompletableFuture<T>) super.copy();
    }

    /**
     * Returns this future.
     *
     * @return this
     */
    @Override
    public AsyncCompletableFuture<T> toCompletableFuture() {
        return this;
    }

    /**
     * As {@link CompletableFuture#minimalCompletionStage()}: a stage that cannot be completed or
     * inspected, only chained; its stages propagate, and its {@code toCompletableFuture()}
     * returns a new propagating future.
     *
     * @return the minimal stage
     */
    @Override
    public CompletionStage<T> minimalCompletionStage() {
        StageOnlyFuture<T> stage = new StageOnlyFuture<>();
        observe(new Relay<>(stage, true));
        return stage;
    }

    /**
     * As {@link CompletableFuture#orTimeout}; stages registered on this future still run in
     * their registration context when the timeout completes it.
     *
     * @param timeout how long to wait, in units of {@code unit}
     * @param unit the unit of {@code timeout}
     * @return this future
     * @throws NullPointerException if {@code unit} is {@code null}
     */
    @Override
    public AsyncCompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        super.orTimeout(timeout, unit);
        return this;
    }

    /**
     * As {@link CompletableFuture#completeOnTimeout}; stages registered on this future still run
     * in their registration context when the timeout completes it.
     *
     * @param value the value to complete with on timeout
     * @param timeout how long to wait, in units of {@code unit}
     * @param unit the unit of {@code timeout}
     * @return this future
     * @throws NullPointerException if {@code unit} is {@code null}
     */
    @Override
    public AsyncCompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        super.completeOnTimeout(value, timeout, unit);
        return this;
    }

    /**
     * Completes this future with the result of {@code supplier}, run by {@code executor} in the
     * context current now.
     *
     * @param supplier the function computing the value
     * @param executor the executor that runs it
     * @return this future
     * @throws NullPointerException if {@code supplier} or {@code executor} is {@code null}
     */
    @Override
    public AsyncCompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        Objects.requireNonNull(supplier, "supplier"); // before the executor, unlike the stage methods
        StageCallback<?, ?, T> bound = bind(supplier, "supplier", executor);
        try {
            super.completeAsync(bound, executor);
        } catch (RuntimeException | Error e) {
            bound.finish(); // rejected: the supplier will never run
            throw e;
        }
        return registered(bound, this);
    }

    /**
     * Completes this future with the result of {@code supplier}, run by the
     * {@linkplain #defaultExecutor() default executor} in the context current now.
     *
     * @param supplier the function computing the value
     * @return this future
     * @throws NullPointerException if {@code supplier} is {@code null}
     */
    @Override
    public AsyncCompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        // Not super.completeAsync(supplier): it calls completeAsync(supplier, executor), which
        // would capture a second time.
        return completeAsync(supplier, defaultExecutor());
    }

    // ---------------------------------------------------------------- dependent stages
    // Each binds its callback where it is called, lets CompletableFuture register the bound
    // callback, and, while a hook is enabled, watches the future it returned.

    @Override
    public <U> AsyncCompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        StageCallback<T, ?, U> bound = bind(fn, "fn");
        return registered(bound, super.thenApply(bound));
    }

    @Override
    public <U> AsyncCompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn) {
        StageCallback<T, ?, U> bound = bind(fn, "fn");
        return registered(bound, super.thenApplyAsync(bound));
    }

    @Override
    public <U> AsyncCompletableFuture<U> thenApplyAsync(Function<? super T, ? extends U> fn, Executor executor) {
        StageCallback<T, ?, U> bound = bind(fn, "fn", executor);
        return registered(bound, super.thenApplyAsync(bound, executor));
    }

    @Override
    public AsyncCompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        StageCallback<T, ?, ?> bound = bind(action, "action");
        return registered(bound, super.thenAccept(bound));
    }

    @Override
    public AsyncCompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action) {
        StageCallback<T, ?, ?> bound = bind(action, "action");
        return registered(bound, super.thenAcceptAsync(bound));
    }

    @Override
    public AsyncCompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        StageCallback<T, ?, ?> bound = bind(action, "action", executor);
        return registered(bound, super.thenAcceptAsync(bound, executor));
    }

    @Override
    public AsyncCompletableFuture<Void> thenRun(Runnable action) {
        StageCallback<?, ?, ?> bound = bind(action, "action");
        return registered(bound, super.thenRun(bound));
    }

    @Override
    public AsyncCompletableFuture<Void> thenRunAsync(Runnable action) {
        StageCallback<?, ?, ?> bound = bind(action, "action");
        return registered(bound, super.thenRunAsync(bound));
    }

    @Override
    public AsyncCompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        StageCallback<?, ?, ?> bound = bind(action, "action", executor);
        return registered(bound, super.thenRunAsync(bound, executor));
    }

    @Override
    public <U, V> AsyncCompletableFuture<V> thenCombine(CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        StageCallback<T, U, V> bound = bind(other, fn, "fn");
        return registered(bound, super.thenCombine(other, bound));
    }

    @Override
    public <U, V> AsyncCompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        StageCallback<T, U, V> bound = bind(other, fn, "fn");
        return registered(bound, super.thenCombineAsync(other, bound));
    }

    @Override
    public <U, V> AsyncCompletableFuture<V> thenCombineAsync(CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn, Executor executor) {
        StageCallback<T, U, V> bound = bind(other, fn, "fn", executor);
        return registered(bound, super.thenCombineAsync(other, bound, executor));
    }

    @Override
    public <U> AsyncCompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        StageCallback<T, U, ?> bound = bind(other, action, "action");
        return registered(bound, super.thenAcceptBoth(other, bound));
    }

    @Override
    public <U> AsyncCompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        StageCallback<T, U, ?> bound = bind(other, action, "action");
        return registered(bound, super.thenAcceptBothAsync(other, bound));
    }

    @Override
    public <U> AsyncCompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action, Executor executor) {
        StageCallback<T, U, ?> bound = bind(other, action, "action", executor);
        return registered(bound, super.thenAcceptBothAsync(other, bound, executor));
    }

    @Override
    public AsyncCompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        StageCallback<?, ?, ?> bound = bind(other, action, "action");
        return registered(bound, super.runAfterBoth(other, bound));
    }

    @Override
    public AsyncCompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        StageCallback<?, ?, ?> bound = bind(other, action, "action");
        return registered(bound, super.runAfterBothAsync(other, bound));
    }

    @Override
    public AsyncCompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        StageCallback<?, ?, ?> bound = bind(other, action, "action", executor);
        return registered(bound, super.runAfterBothAsync(other, bound, executor));
    }

    @Override
    public <U> AsyncCompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        StageCallback<T, ?, U> bound = bind(other, fn, "fn");
        return registered(bound, super.applyToEither(other, bound));
    }

    @Override
    public <U> AsyncCompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        StageCallback<T, ?, U> bound = bind(other, fn, "fn");
        return registered(bound, super.applyToEitherAsync(other, bound));
    }

    @Override
    public <U> AsyncCompletableFuture<U> applyToEitherAsync(CompletionStage<? extends T> other, Function<? super T, U> fn, Executor executor) {
        StageCallback<T, ?, U> bound = bind(other, fn, "fn", executor);
        return registered(bound, super.applyToEitherAsync(other, bound, executor));
    }

    @Override
    public AsyncCompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        StageCallback<T, ?, ?> bound = bind(other, action, "action");
        return registered(bound, super.acceptEither(other, bound));
    }

    @Override
    public AsyncCompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action) {
        StageCallback<T, ?, ?> bound = bind(other, action, "action");
        return registered(bound, super.acceptEitherAsync(other, bound));
    }

    @Override
    public AsyncCompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends T> other, Consumer<? super T> action, Executor executor) {
        StageCallback<T, ?, ?> bound = bind(other, action, "action", executor);
        return registered(bound, super.acceptEitherAsync(other, bound, executor));
    }

    @Override
    public AsyncCompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        StageCallback<?, ?, ?> bound = bind(other, action, "action");
        return registered(bound, super.runAfterEither(other, bound));
    }

    @Override
    public AsyncCompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        StageCallback<?, ?, ?> bound = bind(other, action, "action");
        return registered(bound, super.runAfterEitherAsync(other, bound));
    }

    @Override
    public AsyncCompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        StageCallback<?, ?, ?> bound = bind(other, action, "action", executor);
        return registered(bound, super.runAfterEitherAsync(other, bound, executor));
    }

    @Override
    public <U> AsyncCompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        StageCallback<T, ?, CompletionStage<U>> bound = bind(fn, "fn");
        return registered(bound, super.thenCompose(bound));
    }

    @Override
    public <U> AsyncCompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn) {
        StageCallback<T, ?, CompletionStage<U>> bound = bind(fn, "fn");
        return registered(bound, super.thenComposeAsync(bound));
    }

    @Override
    public <U> AsyncCompletableFuture<U> thenComposeAsync(Function<? super T, ? extends CompletionStage<U>> fn, Executor executor) {
        StageCallback<T, ?, CompletionStage<U>> bound = bind(fn, "fn", executor);
        return registered(bound, super.thenComposeAsync(bound, executor));
    }

    @Override
    public <U> AsyncCompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        StageCallback<T, Throwable, U> bound = bind(fn, "fn");
        return registered(bound, super.handle(bound));
    }

    @Override
    public <U> AsyncCompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn) {
        StageCallback<T, Throwable, U> bound = bind(fn, "fn");
        return registered(bound, super.handleAsync(bound));
    }

    @Override
    public <U> AsyncCompletableFuture<U> handleAsync(BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        StageCallback<T, Throwable, U> bound = bind(fn, "fn", executor);
        return registered(bound, super.handleAsync(bound, executor));
    }

    @Override
    public AsyncCompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        if (action != null && action.getClass() == CANCELLER) {
            // CompletableFuture.orTimeout/completeOnTimeout registering their own timer
            // canceller: library plumbing, not a stage of the caller's.
            return (AsyncCompletableFuture<T>) super.whenComplete(action);
        }
        StageCallback<T, Throwable, ?> bound = bind(action, "action");
        return registered(bound, super.whenComplete(bound));
    }

    @Override
    public AsyncCompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action) {
        StageCallback<T, Throwable, ?> bound = bind(action, "action");
        return registered(bound, super.whenCompleteAsync(bound));
    }

    @Override
    public AsyncCompletableFuture<T> whenCompleteAsync(BiConsumer<? super T, ? super Throwable> action, Executor executor) {
        StageCallback<T, Throwable, ?> bound = bind(action, "action", executor);
        return registered(bound, super.whenCompleteAsync(bound, executor));
    }

    @Override
    public AsyncCompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        StageCallback<Throwable, ?, T> bound = bind(fn, "fn");
        return registered(bound, super.exceptionally(bound));
    }

    @Override
    public AsyncCompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn) {
        StageCallback<Throwable, ?, T> bound = bind(fn, "fn");
        return registered(bound, super.exceptionallyAsync(bound));
    }

    @Override
    public AsyncCompletableFuture<T> exceptionallyAsync(Function<Throwable, ? extends T> fn, Executor executor) {
        StageCallback<Throwable, ?, T> bound = bind(fn, "fn", executor);
        return registered(bound, super.exceptionallyAsync(bound, executor));
    }

    @Override
    public AsyncCompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        StageCallback<Throwable, ?, CompletionStage<T>> bound = bind(fn, "fn");
        return registered(bound, super.exceptionallyCompose(bound));
    }

    @Override
    public AsyncCompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn) {
        StageCallback<Throwable, ?, CompletionStage<T>> bound = bind(fn, "fn");
        return registered(bound, super.exceptionallyComposeAsync(bound));
    }

    @Override
    public AsyncCompletableFuture<T> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<T>> fn, Executor executor) {
        StageCallback<Throwable, ?, CompletionStage<T>> bound = bind(fn, "fn", executor);
        return registered(bound, super.exceptionallyComposeAsync(bound, executor));
    }

    // ---------------------------------------------------------------- internals

    /**
     * Binds a stage's callback to the context current now. The arguments are checked first, in
     * the order of the method's parameters (other stage, executor, callback), so that a call
     * {@code CompletableFuture} would reject captures nothing and hooks never see its callback.
     */
    private static <A, B, R> StageCallback<A, B, R> bind(Object callback, String name) {
        return StageCallback.bind(Objects.requireNonNull(callback, name), AsyncOperation.COMPLETABLE_FUTURE);
    }

    private static <A, B, R> StageCallback<A, B, R> bind(Object callback, String name, Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return bind(callback, name);
    }

    private static <A, B, R> StageCallback<A, B, R> bind(CompletionStage<?> other, Object callback, String name) {
        Objects.requireNonNull(other, "other");
        return bind(callback, name);
    }

    private static <A, B, R> StageCallback<A, B, R> bind(CompletionStage<?> other, Object callback, String name,
            Executor executor) {
        Objects.requireNonNull(other, "other");
        return bind(callback, name, executor);
    }

    /**
     * The future a stage method returned, watched for completion when the stage is an async
     * resource ({@code promiseResolve}, then {@code destroy}).
     */
    private static <U> AsyncCompletableFuture<U> registered(StageCallback<?, ?, ?> callback, CompletableFuture<U> dependent) {
        // Safe: newIncompleteFuture() returns an AsyncCompletableFuture, and so every future the
        // stage methods of CompletableFuture create is one.
        AsyncCompletableFuture<U> future = (AsyncCompletableFuture<U>) dependent;
        if (callback.isResource()) {
            future.observe(new Resolved(callback));
        }
        return future;
    }

    /** Registers library plumbing on completion, bypassing this class's capturing overrides. */
    final void observe(BiConsumer<? super T, ? super Throwable> action) {
        super.whenComplete(action);
    }

    /** Ends a stage's resource when its future completes. */
    private static final class Resolved implements BiConsumer<Object, Throwable>, Engine.PassThrough {
        private final StageCallback<?, ?, ?> callback;

        Resolved(StageCallback<?, ?, ?> callback) {
            this.callback = callback;
        }

        @Override
        public void accept(Object value, Throwable failure) {
            callback.resolved();
        }
    }

    /** Completes another future as the observed one completed. */
    static final class Relay<T> implements BiConsumer<T, Throwable>, Engine.PassThrough {
        private final AsyncCompletableFuture<T> target;
        /** Whether to wrap a failure in CompletionException, as CompletableFuture's relays do. */
        private final boolean wrap;

        Relay(AsyncCompletableFuture<T> target, boolean wrap) {
            this.target = target;
            this.wrap = wrap;
        }

        @Override
        public void accept(T value, Throwable failure) {
            if (failure != null && wrap && !(failure instanceof CompletionException)) {
                failure = new CompletionException(failure);
            }
            if (target instanceof StageOnlyFuture) {
                ((StageOnlyFuture<T>) target).relay(value, failure);
            } else if (failure == null) {
                target.complete(value);
            } else {
                target.completeExceptionally(failure);
            }
        }
    }

    /** {@link #runAsync}'s runnable as the supplier {@code completeAsync} takes. */
    private static final class RunSupplier implements Supplier<Void> {
        private final Runnable runnable;

        RunSupplier(Runnable runnable) {
            this.runnable = Objects.requireNonNull(runnable, "runnable");
        }

        @Override
        public Void get() {
            runnable.run();
            return null;
        }

        @Override
        public String toString() {
            return runnable.toString();
        }
    }
}
