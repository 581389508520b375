package dev.asynclocal;

/**
 * An operation that returns a result and may throw a checked exception of type {@code X}.
 *
 * <p>It lets {@link AsyncLocalStorage#run(Object, CallableOp)} and friends pass your exception
 * through untouched, with the compiler still checking it:
 * <pre>{@code
 * String body = requestId.run("r-42", () -> Files.readString(path)); // throws IOException
 * }</pre>
 *
 * @param <R> the result type
 * @param <X> the exception type {@link #call()} may throw; use {@link RuntimeException} for none
 */
@FunctionalInterface
public interface CallableOp<R, X extends Throwable> {
    /**
     * Performs the operation.
     *
     * @return the result
     * @throws X when the operation fails
     */
    R call() throws X;
}
