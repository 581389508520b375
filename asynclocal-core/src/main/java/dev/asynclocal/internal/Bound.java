package dev.asynclocal.internal;

import java.nio.channels.CompletionHandler;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Tasks and handlers bound to the context current where they were created: a {@link Task}
 * ({@code Runnable}), a {@link Call} ({@code Callable}) and a {@link Handler} (an asynchronous
 * channel's {@code CompletionHandler}), each its own {@link AsyncOperation}, so binding allocates
 * exactly one object when no hook is enabled. A future's stage callbacks, of five shapes, are one
 * class of their own, {@link StageCallback}.
 *
 * <p>Every factory captures on the calling thread and announces the capture ({@code init}, if a
 * hook is enabled) before returning. Every wrapper runs its callback between
 * {@link AsyncOperation#enter} and {@link AsyncOperation#exit}, so the callback's exceptions
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
