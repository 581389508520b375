package dev.asynclocal.internal;

/**
 * Marks a task or callback that code capturing contexts for asynchronous operations must pass
 * through unchanged: one that already runs in the context captured where it was made without
 * being a {@link Capture} itself (the {@code FutureTask} a propagating executor service hands to
 * the executor it wraps), or library plumbing that is no operation of the user's
 * ({@code AsyncCompletableFuture}'s completion observers). Either way, capturing it again would
 * make one operation two async resources, or an observer one.
 *
 * <p>The agent checks this before binding a task given to a JDK executor or a callback given to
 * a {@code CompletableFuture}: keep the name.
 */
public interface PassThrough {
}
