package dev.asynclocal.internal;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The callback of a {@code CompletableFuture} stage (an {@code AsyncCompletableFuture}'s, or, with
 * the agent, any future's), bound to the context current where the stage was registered. One class serves every shape a stage method takes, so every stage method
 * binds its callback the same way; {@code CompletableFuture} calls it only through the interface
 * it was handed as, which is the callback's own.
 *
 * <p>It is itself the capture, so a bound callback is one object (with no hook enabled: header,
 * frame, an empty resource reference and the callback: 24 bytes with compressed pointers). Its
 * resource is finished externally, by {@link #resolved()} when the stage's future completes.
 *
 * @param <A> the (first) argument type
 * @param <B> the second argument type of the two-argument shapes
 * @param <R> the result type
 */
public final class StageCallback<A, B, R> extends AsyncOperation
        implements Function<A, R>, BiFunction<A, B, R>, Consumer<A>, BiConsumer<A, B>, Supplier<R>, Runnable {
    /** A {@code Function}, {@code BiFunction}, {@code Consumer}, {@code BiConsumer}, {@code Supplier} or {@code Runnable}. */
    private final Object callback;

    private StageCallback(Object callback, String type) {
        super(type, FINISH_EXTERNALLY);
        this.callback = callback;
    }

    /**
     * Binds {@code callback} to the calling thread's context and announces it to the hooks.
     *
     * @param callback a callback of one of the shapes this class implements, not {@code null}
     * @param type the resource type hooks see, {@link #COMPLETABLE_FUTURE} for a stage
     * @param <A> the (first) argument type
     * @param <B> the second argument type
     * @param <R> the result type
     * @return the bound callback
     */
    public static <A, B, R> StageCallback<A, B, R> bind(Object callback, String type) {
        StageCallback<A, B, R> bound = new StageCallback<>(callback, type);
        bound.announce();
        return bound;
    }

    // Each method below is the same frame switch around the one call; the casts cannot fail,
    // since CompletableFuture calls a callback only through the interface it was handed as.

    @Override
    @SuppressWarnings("unchecked")
    public R apply(A a) {
        Object saved = enter();
        try {
            return ((Function<A, R>) callback).apply(a);
        } finally {
            exit(saved);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public R apply(A a, B b) {
        Object saved = enter();
        try {
            return ((BiFunction<A, B, R>) callback).apply(a, b);
        } finally {
            exit(saved);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void accept(A a) {
        Object saved = enter();
        try {
            ((Consumer<A>) callback).accept(a);
        } finally {
            exit(saved);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void accept(A a, B b) {
        Object saved = enter();
        try {
            ((BiConsumer<A, B>) callback).accept(a, b);
        } finally {
            exit(saved);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public R get() {
        Object saved = enter();
        try {
            return ((Supplier<R>) callback).get();
        } finally {
            exit(saved);
        }
    }

    @Override
    public void run() {
        Object saved = enter();
        try {
            ((Runnable) callback).run();
        } finally {
            exit(saved);
        }
    }

    /**
     * Not supported. {@code Function} and {@code BiFunction} both have a default {@code andThen}
     * of this erasure, so a class implementing both must declare one; {@code CompletableFuture}
     * never calls it.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public <V> StageCallback<A, B, V> andThen(Function<? super R, ? extends V> after) {
        throw new UnsupportedOperationException("andThen on a stage's bound callback");
    }

    /** The callback's own, so that messages which print it read as without the binding. */
    @Override
    public String toString() {
        return callback.toString();
    }
}
