package dev.asynclocal.internal;

import java.util.Arrays;

/**
 * One immutable context: the stores of every {@code AsyncLocalStorage} that has one here.
 *
 * <p>Frames are values. Nothing ever changes a frame after it is built, so capturing a context is
 * copying one reference, whatever the number of entries, and a captured frame can be shared by
 * any number of threads without synchronisation.
 *
 * <p>Representation: up to {@value #FLAT_LIMIT} entries live in one flat array of alternating keys
 * and stores, scanned by identity (for the one to three instances a typical application has, this
 * beats any hashing). Larger frames switch to a persistent hash trie ({@link Trie}) with
 * O(log<sub>32</sub> n) lookup and path-copying update, so a context with thousands of instances
 * still reads and writes in a handful of steps.
 */
public final class Frame {
    /** Returned by {@link #get} when the key has no entry; {@code null} is a legal store. */
    public static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "ABSENT";
        }
    };

    /**
     * The frame of a thread that runs outside any context. The agent's generated code compares
     * against it to skip capturing: an empty context is always this instance.
     */
    public static final Frame EMPTY = new Frame(new Object[0], null);

    static final int FLAT_LIMIT = 8;

    /** k0, v0, k1, v1, ... ; {@code null} when {@link #trie} is used. */
    private final Object[] flat;
    private final Trie trie;

    private Frame(Object[] flat, Trie trie) {
        this.flat = flat;
        this.trie = trie;
    }

    /** The store under {@code key}, or {@link #ABSENT}. Allocates nothing. */
    public Object get(FrameKey key) {
        Object[] entries = flat;
        if (entries != null) {
            for (int i = 0; i < entries.length; i += 2) {
                if (entries[i] == key) {
                    return entries[i + 1];
                }
            }
            return ABSENT;
        }
        return trie.get(key);
    }

    /** This frame with {@code key} mapped to {@code store}; {@code this} when already so. */
    public Frame with(FrameKey key, Object store) {
        Object[] entries = flat;
        if (entries == null) {
            Trie updated = trie.with(key, store);
            return updated == trie ? this : new Frame(null, updated);
        }
        for (int i = 0; i < entries.length; i += 2) {
            if (entries[i] == key) {
                if (entries[i + 1] == store) {
                    return this;
                }
                Object[] copy = entries.clone();
                copy[i + 1] = store;
                return new Frame(copy, null);
            }
        }
        if (entries.length < FLAT_LIMIT * 2) {
            Object[] copy = Arrays.copyOf(entries, entries.length + 2);
            copy[entries.length] = key;
            copy[entries.length + 1] = store;
            return new Frame(copy, null);
        }
        Trie grown = Trie.EMPTY;
        for (int i = 0; i < entries.length; i += 2) {
            grown = grown.with((FrameKey) entries[i], entries[i + 1]);
        }
        return new Frame(null, grown.with(key, store));
    }

    /** This frame without an entry for {@code key}; {@code this} when there is none. */
    public Frame without(FrameKey key) {
        Object[] entries = flat;
        if (entries == null) {
            Trie updated = trie.without(key);
            return updated == trie ? this : new Frame(null, updated);
        }
        for (int i = 0; i < entries.length; i += 2) {
            if (entries[i] == key) {
                if (entries.length == 2) {
                    return EMPTY;
                }
                Object[] copy = new Object[entries.length - 2];
                System.arraycopy(entries, 0, copy, 0, i);
                System.arraycopy(entries, i + 2, copy, i, entries.length - i - 2);
                return new Frame(copy, null);
            }
        }
        return this;
    }

    /** Number of entries; O(1) for flat frames, O(n) for trie frames (diagnostics and tests only). */
    public int size() {
        return flat != null ? flat.length / 2 : trie.size();
    }

    /** Whether this frame uses the hash trie (for tests of the representation switch). */
    boolean isTrie() {
        return flat == null;
    }

    @Override
    public String toString() {
        return "Frame[size=" + size() + "]";
    }
}
