package dev.asynclocal.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The identity under which an {@code AsyncLocalStorage} keeps its store in a {@link Frame}.
 *
 * <p>An instance gets a fresh key when it is created and again on {@code disable()}, which is how
 * {@code disable()} hides every store set before it in every frame, captured or not, without
 * touching any frame: lookups simply no longer match the old key.
 */
public final class FrameKey {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /**
     * Multiplying a counter by an odd constant is a bijection on {@code int}, so the first
     * 2^32 keys get distinct hashes that are still spread over all bits for the trie.
     */
    final int hash = SEQUENCE.getAndIncrement() * 0x9E3779B9;

    @Override
    public int hashCode() {
        return hash;
    }
}
