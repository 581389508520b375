package dev.asynclocal.internal;

import java.nio.channels.CompletionHandler;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Callbacks bound to the context current where they were created: one wrapper class per
 * functional shape, each a {@link AsyncOperation}, so binding a callback allocates exactly one object
 * when no hook is enabled.
 *
 * <p>Every factory captures on the calling thread and announces the capture ({@code init}, if a
 * hook is enabled) before returning. Every wrapper runs its callback with
 * {@link AsyncOperation#enter}/{@link AsyncOperation#exit} in a {@code finally}, so the callback's exceptions
 * propagate unchanged and the thread gets back exactly its own context. A wrapper's
 * {@code toString()} is its callback's, so messages that print tasks (a
 * {@code RejectedExecutionException}'s, say) read as they would without it.
 */
public final class Bound {
    private Bound() {
    }

    /**
     * {@code task} bound to the calling thread's context.
     *
     * @param task the task
     * @param type the resource type hooks see
     * @param ending when the operation is finished for good (see {@link AsyncOperation})
     * @return the bound task
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static Task runnable(Runnable task, String type, int ending) {
        Objects.requireNonNull(task, "task");
        Task bound = new Task(task, type, ending);
        bound.announce();
        return bound;
    }

    /**
     * {@code task} bound to the calling thread's context.
     *
     * @param task the task
     * @param type the resource type hooks see
     * @param ending when the operation is finished for good (see {@link AsyncOperation})
     * @param <V> the result type
     * @return the bound task
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static <V> Call<V> callable(Callable<V> task, String type, int ending) {
        Objects.requireNonNull(task, "task");
        Call<V> bound = new Call<>(task, type, ending);
        bound.announce();
        return bound;
    }

    /**
     * {@code fn} bound to the calling thread's context.
     *
     * @param fn the function
     * @param type the resource type hooks see
     * @param <T> the argument type
     * @param <R> the result type
     * @return the bound function
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public static <T, R> Fn<T, R> function(Function<? super T, ? extends R> fn, String type) {
        Objects.requireNonNull(fn, "fn");
        Fn<T, R> bound = new Fn<>(fn, type);
        bound.announce();
        return bound;
    }

    /**
     * {@code fn} bound to the calling thread's context.
     *
     * @param fn the function
     * @param type the resource type hooks see
     * @param <T> the first argument type
     * @param <U> the second argument type
     * @param <R> the result type
     * @return the bound function
     * @throws NullPointerException if {@code fn} is {@code null}
     */
    public static <T, U, R> BiFn<T, U, R> biFunction(BiFunction<? super T, ? super U, ? extends R> fn, String type) {
        Objects.requireNonNull(fn, "fn");
        BiFn<T, U, R> bound = new BiFn<>(fn, type);
        bound.announce();
        return bound;
    }

    /**
     * {@code action} bound to the calling thread's context.
     *
     * @param action the action
     * @param type the resource type hooks see
     * @param <T> the argument type
     * @return the bound action
     * @throws NullPointerException if {@code action} is {@code null}
     */
    public static <T> Action<T> consumer(Consumer<? super T> action, String type) {
        Objects.requireNonNull(action, "action");
        Action<T> bound = new Action<>(action, type);
        bound.announce();
        return bound;
    }

    /**
     * {@code action} bound to the calling thread's context.
     *
     * @param action the action
     * @param type the resource type hooks see
     * @param <T> the first argument type
     * @param <U> the second argument type
     * @return the bound action
     * @throws NullPointerException if {@code action} is {@code null}
     */
    public static <T, U> BiAction<T, U> biConsumer(BiConsumer<? super T, ? super U> action, String type) {
        Objects.requireNonNull(action, "action");
        BiAction<T, U> bound = new BiAction<>(action, type);
        bound.announce();
        return bound;
    }

    /**
     * {@code supplier} bound to the calling thread's context.
     *
     * @param supplier the supplier
     * @param type the resource type hooks see
     * @param <T> the result type
     * @return the bound supplier
     * @throws NullPointerException if {@code supplier} is {@code null}
     */
    public static <T> Supply<T> supplier(Supplier<? extends T> supplier, String type) {
        Objects.requireNonNull(supplier, "supplier");
        Supply<T> bound = new Supply<>(supplier, type);
        bound.announce();
        return bound;
    }

    /**
     * {@code handler} bound to the calling thread's context: {@code completed} or {@code failed},
     * whichever the I/O operation calls, runs in it; the resource is finished after that call.
     *
     * @param handler the completion handler of an asynchronous channel operation
     * @param type the resource type hooks see
     * @param <V> the result type
     * @param <A> the attachment type
     * @return the bound handler
     * @throws NullPointerException if {@code handler} is {@code null}
     */
    public static <V, A> Handler<V, A> completionHandler(CompletionHandler<V, ? super A> handler, String type) {
        Objects.requireNonNull(handler, "handler");
        Handler<V, A> bound = new Handler<>(handler, type);
        bound.announce();
        return bound;
    }

    /**
     * The user's own task inside a wrapper made here, or {@code task} itself if it is not one
     * (for {@code shutdownNow()}, which must hand back what the caller submitted).
     *
     * @param task a task, possibly wrapped
     * @return the unwrapped task
     */
    public static Object unwrap(Object task) {
        if (task instanceof Task) {
            return ((Task) task).task;
        }
        if (task instanceof Call) {
            return ((Call<?>) task).task;
        }
        return task;
    }

    /** A bound {@link Runnable}. */
    public static final class Task extends AsyncOperation implements Runnable {
        final Runnable task;

        Task(Runnable task, String type, int ending) {
            super(type, ending);
            this.task = task;
        }

        @Override
        public void run() {
            Object saved = enter();
            boolean threw = true;
            try {
                task.run();
                threw = false;
            } finally {
                exit(saved);
                runEnded(threw);
            }
        }

        @Override
        public String toString() {
            return task.toString();
        }
    }

    /**
     * A bound {@link Callable}.
     *
     * @param <V> the result type
     */
    public static final class Call<V> extends AsyncOperation implements Callable<V> {
        final Callable<V> task;

        Call(Callable<V> task, String type, int ending) {
            super(type, ending);
            this.task = task;
        }

        @Override
        public V call() throws Exception {
            Object saved = enter();
            boolean threw = true;
            try {
                V result = task.call();
                threw = false;
                return result;
            } finally {
                exit(saved);
                runEnded(threw);
            }
        }

        @Override
        public String toString() {
            return task.toString();
        }
    }

    /**
     * A bound {@link Function}; finished externally (by the stage's completion).
     *
     * @param <T> the argument type
     * @param <R> the result type
     */
    public static final class Fn<T, R> extends AsyncOperation implements Function<T, R> {
        private final Function<? super T, ? extends R> fn;

        Fn(Function<? super T, ? extends R> fn, String type) {
            super(type, FINISH_EXTERNALLY);
            this.fn = fn;
        }

        @Override
        public R apply(T t) {
            Object saved = enter();
            try {
                return fn.apply(t);
            } finally {
                exit(saved);
            }
        }

        @Override
        public String toString() {
            return fn.toString();
        }
    }

    /**
     * A bound {@link BiFunction}; finished externally.
     *
     * @param <T> the first argument type
     * @param <U> the second argument type
     * @param <R> the result type
     */
    public static final class BiFn<T, U, R> extends AsyncOperation implements BiFunction<T, U, R> {
        private final BiFunction<? super T, ? super U, ? extends R> fn;

        BiFn(BiFunction<? super T, ? super U, ? extends R> fn, String type) {
            super(type, FINISH_EXTERNALLY);
            this.fn = fn;
        }

        @Override
        public R apply(T t, U u) {
            Object saved = enter();
            try {
                return fn.apply(t, u);
            } finally {
                exit(saved);
            }
        }

        @Override
        public String toString() {
            return fn.toString();
        }
    }

    /**
     * A bound {@link Consumer}; finished externally.
     *
     * @param <T> the argument type
     */
    public static final class Action<T> extends AsyncOperation implements Consumer<T> {
        private final Consumer<? super T> action;

        Action(Consumer<? super T> action, String type) {
            super(type, FINISH_EXTERNALLY);
            this.action = action;
        }

        @Override
        public void accept(T t) {
            Object saved = enter();
            try {
                action.accept(t);
            } finally {
                exit(saved);
            }
        }

        @Override
        public String toString() {
            return action.toString();
        }
    }

    /**
     * A bound {@link BiConsumer}; finished externally.
     *
     * @param <T> the first argument type
     * @param <U> the second argument type
     */
    public static final class BiAction<T, U> extends AsyncOperation implements BiConsumer<T, U> {
        private final BiConsumer<? super T, ? super U> action;

        BiAction(BiConsumer<? super T, ? super U> action, String type) {
            super(type, FINISH_EXTERNALLY);
            this.action = action;
        }

        @Override
        public void accept(T t, U u) {
            Object saved = enter();
            try {
                action.accept(t, u);
            } finally {
                exit(saved);
            }
        }

        @Override
        public String toString() {
            return action.toString();
        }
    }

    /**
     * A bound {@link Supplier}; finished externally.
     *
     * @param <T> the result type
     */
    public static final class Supply<T> extends AsyncOperation implements Supplier<T> {
        private final Supplier<? extends T> supplier;

        Supply(Supplier<? extends T> supplier, String type) {
            super(type, FINISH_EXTERNALLY);
            this.supplier = supplier;
        }

        @Override
        public T get() {
            Object saved = enter();
            try {
                return supplier.get();
            } finally {
                exit(saved);
            }
        }

        @Override
        public String toString() {
            return supplier.toString();
        }
    }

    /**
     * A bound {@link CompletionHandler}: one of its methods is called once, when the operation
     * ends.
     *
     * @param <V> the result type
     * @param <A> the attachment type
     */
    public static final class Handler<V, A> extends AsyncOperation implements CompletionHandler<V, A> {
        private final CompletionHandler<V, ? super A> handler;

        Handler(CompletionHandler<V, ? super A> handler, String type) {
            super(type, FINISH_AFTER_RUN);
            this.handler = handler;
        }

        @Override
        public void completed(V result, A attachment) {
            Object saved = enter();
            boolean threw = true;
            try {
                handler.completed(result, attachment);
                threw = false;
            } finally {
                exit(saved);
                runEnded(threw);
            }
        }

        @Override
        public void failed(Throwable exc, A attachment) {
            Object saved = enter();
            boolean threw = true;
            try {
                handler.failed(exc, attachment);
                threw = false;
            } finally {
                exit(saved);
                runEnded(threw);
            }
        }

        @Override
        public String toString() {
            return handler.toString();
        }
    }
}
