package dev.asynclocal.internal;

import java.util.Arrays;

/**
 * One immutable context: the stores of every {@code AsyncLocalStorage} that has one here.
 *
 * <p>Frames are values. Nothing ever changes a frame after it is built, so capturing a context is
 * copying one reference, whatever the number of entries, and a captured frame can be shared by
 * any number of threads without synchronisation.
 *
 * <p>Representation: the first two entries live in fields of the frame itself, so that the one or
 * two instances a typical application has are found with no array access at all (a lookup is a
 * field comparison, and {@code run} allocates one object). Entries three to {@value #FLAT_LIMIT}
 * follow in a small array of alternating keys and stores, scanned by identity, which beats any
 * hashing at that size. Larger frames keep their first two entries in the fields and move the
 * rest to a persistent hash trie ({@link Trie}) with O(log<sub>32</sub> n) lookup and path-copying
 * update, so a context with thousands of instances still reads and writes in a handful of steps,
 * and its two oldest stores (usually the ones set where the work entered) are still found by a
 * field comparison. Entries are packed: {@code k1} is used only when {@code k0} is, {@code more}
 * and {@code trie} only when both are, and never together.
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
     * The frame of a thread that runs outside any context. An empty context is always this instance.
     */
    public static final Frame EMPTY = new Frame(null, null, null, null, null, null);

    static final int FLAT_LIMIT = 8;

    private final FrameKey k0;
    private final Object v0;
    private final FrameKey k1;
    private final Object v1;
    /** Entries three and up: k, v, k, v, ... ; {@code null} when there are at most two. */
    private final Object[] more;
    /** All entries when there are more than {@link #FLAT_LIMIT}; then the other fields are null. */
    private final Trie trie;
    /**
     * For a thread's inherited copy (see {@link #inheritedCopy}), the frame it was copied from;
     * {@code null} for every other frame. The field fills what was alignment padding: a frame is
     * still 40 bytes with compressed references.
     */
    private final Frame inheritedFrom;

    private Frame(FrameKey k0, Object v0, FrameKey k1, Object v1, Object[] more, Trie trie) {
        this(k0, v0, k1, v1, more, trie, null);
    }

    private Frame(FrameKey k0, Object v0, FrameKey k1, Object v1, Object[] more, Trie trie, Frame inheritedFrom) {
        this.k0 = k0;
        this.v0 = v0;
        this.k1 = k1;
        this.v1 = v1;
        this.more = more;
        this.trie = trie;
        this.inheritedFrom = inheritedFrom;
    }

    /**
     * A frame with the same entries and an identity of its own, marked as inherited: what a new
     * thread that inherits its starter's context runs in. The distinct identity lets that thread
     * recognise, later, that it still runs in what it inherited (and not in a context it set or
     * was handed since, even one with the same entries); see {@code ThreadState.releaseInherited}.
     * Frames built from it ({@link #with}, {@link #without}) are ordinary frames.
     *
     * @return the marked copy
     */
    public Frame inheritedCopy() {
        return new Frame(k0, v0, k1, v1, more, trie, inheritedFrom != null ? inheritedFrom : this);
    }

    /**
     * Whether this frame is a thread's inherited copy.
     *
     * @return {@code true} for a frame made by {@link #inheritedCopy}
     */
    public boolean isInheritedCopy() {
        return inheritedFrom != null;
    }

    /**
     * Whether this frame is an inherited copy of {@code original}.
     *
     * @param original a frame
     * @return {@code true} if {@link #inheritedCopy} of {@code original} made this frame
     */
    public boolean isInheritedCopyOf(Frame original) {
        return inheritedFrom != null && inheritedFrom == original;
    }

    /** The store under {@code key}, or {@link #ABSENT}. Allocates nothing. */
    public Object get(FrameKey key) {
        // Keys are never null, so the unused inline slots of small frames never match.
        if (k0 == key) {
            return v0;
        }
        if (k1 == key) {
            return v1;
        }
        Object[] entries = more;
        if (entries != null) {
            for (int i = 0; i < entries.length; i += 2) {
                if (entries[i] == key) {
                    return entries[i + 1];
                }
            }
            return ABSENT;
        }
        Trie all = trie;
        return all == null ? ABSENT : all.get(key);
    }

    /** This frame with {@code key} mapped to {@code store}; {@code this} when already so (see {@link #unchanged}). */
    public Frame with(FrameKey key, Object store) {
        if (k0 == key) {
            return v0 == store ? unchanged() : new Frame(key, store, k1, v1, more, trie);
        }
        if (k1 == key) {
            return v1 == store ? unchanged() : new Frame(k0, v0, key, store, more, trie);
        }
        if (trie != null) {
            Trie updated = trie.with(key, store);
            return updated == trie ? unchanged() : new Frame(k0, v0, k1, v1, null, updated);
        }
        Object[] entries = more;
        if (entries != null) {
            for (int i = 0; i < entries.length; i += 2) {
                if (entries[i] == key) {
                    if (entries[i + 1] == store) {
                        return unchanged();
                    }
                    Object[] copy = entries.clone();
                    copy[i + 1] = store;
                    return new Frame(k0, v0, k1, v1, copy, null);
                }
            }
        }
        if (k0 == null) {
            return new Frame(key, store, null, null, null, null);
        }
        if (k1 == null) {
            return new Frame(k0, v0, key, store, null, null);
        }
        int used = entries == null ? 0 : entries.length;
        if (2 + used / 2 < FLAT_LIMIT) {
            Object[] grown = entries == null ? new Object[2] : Arrays.copyOf(entries, used + 2);
            grown[used] = key;
            grown[used + 1] = store;
            return new Frame(k0, v0, k1, v1, grown, null);
        }
        // The first two entries stay in fields: they are the context's oldest stores (typically
        // set where the request entered), and keep their field-compare lookup at any size.
        Trie grown = Trie.EMPTY;
        for (int i = 0; i < used; i += 2) {
            grown = grown.with((FrameKey) entries[i], entries[i + 1]);
        }
        return new Frame(k0, v0, k1, v1, null, grown.with(key, store));
    }

    /**
     * This frame, as the result of a change that changed nothing: itself, except that an inherited
     * copy becomes a plain frame, because a context a thread sets itself (even to the values it
     * already had) is its own and is never released as inherited.
     */
    private Frame unchanged() {
        return inheritedFrom == null ? this : new Frame(k0, v0, k1, v1, more, trie);
    }

    /** This frame without an entry for {@code key}; {@code this} when there is none. */
    public Frame without(FrameKey key) {
        if (get(key) == ABSENT) {
            return unchanged();
        }
        if (trie != null && k0 != key && k1 != key) {
            Trie updated = trie.without(key);
            if (updated != Trie.EMPTY) {
                return new Frame(k0, v0, k1, v1, null, updated);
            }
        }
        // Rebuild the packed layout from the remaining entries; exit() is not the hot path.
        Object[] kept = new Object[size() * 2 - 2];
        int n = 0;
        n = keep(kept, n, k0, v0, key);
        n = keep(kept, n, k1, v1, key);
        if (more != null) {
            for (int i = 0; i < more.length; i += 2) {
                n = keep(kept, n, (FrameKey) more[i], more[i + 1], key);
            }
        }
        if (trie != null) {
            int[] at = {n};
            trie.forEachEntry((k, v) -> {
                at[0] = keep(kept, at[0], k, v, key);
                return true;
            });
            n = at[0];
        }
        Frame rebuilt = EMPTY;
        for (int i = 0; i < n; i += 2) {
            rebuilt = rebuilt.with((FrameKey) kept[i], kept[i + 1]);
        }
        return rebuilt;
    }

    private static int keep(Object[] kept, int n, FrameKey k, Object v, FrameKey dropped) {
        if (k == null || k == dropped) {
            return n;
        }
        kept[n] = k;
        kept[n + 1] = v;
        return n + 2;
    }

    /**
     * Whether every entry of {@code captured} is in this frame with the identical store: code
     * running in this frame sees everything that code running in {@code captured} would. True
     * when the two are the same frame, and always for the empty frame. Diagnostics only (the
     * context-loss detector); O(n) in the size of {@code captured}.
     *
     * @param captured the frame some work was created in
     * @return whether this frame carries all of it
     */
    public boolean carries(Frame captured) {
        if (captured == this) {
            return true;
        }
        return captured.forEachEntry((key, store) -> get(key) == store);
    }

    /**
     * Visits the entries of this frame until {@code visitor} returns {@code false}; diagnostics
     * only, never on the hot path.
     *
     * @param visitor receives each key and store
     * @return {@code false} if the visitor stopped the iteration, {@code true} otherwise
     */
    public boolean forEachEntry(EntryVisitor visitor) {
        if (k0 != null && !visitor.visit(k0, v0)) {
            return false;
        }
        if (k1 != null && !visitor.visit(k1, v1)) {
            return false;
        }
        if (more != null) {
            for (int i = 0; i < more.length; i += 2) {
                if (!visitor.visit((FrameKey) more[i], more[i + 1])) {
                    return false;
                }
            }
        }
        return trie == null || trie.forEachEntry(visitor);
    }

    /** Receives the entries of a frame; returns {@code false} to stop. */
    @FunctionalInterface
    public interface EntryVisitor {
        boolean visit(FrameKey key, Object store);
    }

    /** Number of entries; O(1) for small frames, O(n) for trie frames (diagnostics and tests only). */
    public int size() {
        return (k0 != null ? 1 : 0) + (k1 != null ? 1 : 0) + (more != null ? more.length / 2 : 0)
                + (trie != null ? trie.size() : 0);
    }

    /** Whether this frame uses the hash trie (for tests of the representation switch). */
    boolean isTrie() {
        return trie != null;
    }

    @Override
    public String toString() {
        return "Frame[size=" + size() + "]";
    }
}
