package dev.asynclocal;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The minimal stage of an {@link AsyncCompletableFuture} ({@link AsyncCompletableFuture#minimalCompletionStage()},
 * {@link AsyncCompletableFuture#completedStage}, {@link AsyncCompletableFuture#failedStage}): like
 * {@code CompletableFuture}'s own, every method outside {@link CompletionStage} throws
 * {@link UnsupportedOperationException}; its stages are minimal stages too, and propagate.
 *
 * @param <T> the result type
 */
final class StageOnlyFuture<T> extends AsyncCompletableFuture<T> {
    StageOnlyFuture() {
    }

    /** The one way to complete a minimal stage: from the future it mirrors. */
    void relay(T value, Throwable failure) {
        if (failure == null) {
            super.complete(value);
        } else {
            super.completeExceptionally(failure);
        }
    }

    @Override
    public <U> AsyncCompletableFuture<U> newIncompleteFuture() {
        return new StageOnlyFuture<>();
    }

    @Override
    public AsyncCompletableFuture<T> toCompletableFuture() {
        AsyncCompletableFuture<T> future = new AsyncCompletableFuture<>();
        observe(new AsyncCompletableFuture.Relay<>(future, true));
        return future;
    }

    @Override
    public T get() {
        throw new UnsupportedOperationException();
    }

    @Override
    public T get(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public T getNow(T valueIfAbsent) {
        throw new UnsupportedOperationException();
    }

    @Override
    public T join() {
        throw new UnsupportedOperationException();
    }

    /**
     * Unsupported, as on {@code CompletableFuture}'s minimal stage (Java 19+ method).
     *
     * @return never
     */
    public T resultNow() {
        throw new UnsupportedOperationException();
    }

    /**
     * Unsupported, as on {@code CompletableFuture}'s minimal stage (Java 19+ method).
     *
     * @return never
     */
    public Throwable exceptionNow() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean complete(T value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void obtrudeValue(T value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isDone() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isCancelled() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isCompletedExceptionally() {
        throw new UnsupportedOperationException();
    }

    @Override
    public int getNumberOfDependents() {
        throw new UnsupportedOperationException();
    }

    @Override
    public AsyncCompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AsyncCompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AsyncCompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AsyncCompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }
}
