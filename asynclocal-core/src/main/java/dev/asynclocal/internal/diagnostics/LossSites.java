package dev.asynclocal.internal.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The sites where a context was lost, each kept once with its count, up to a fixed number of
 * sites (beyond it, new sites are only counted as dropped: a loss in a loop over generated code
 * must not grow memory without bound).
 */
final class LossSites {
    private final int limit;
    private final ConcurrentHashMap<Key, LossSite> sites = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    LossSites(int limit) {
        this.limit = limit;
    }

    /**
     * The site under {@code key}, made by {@code fresh} if it is new (then {@code isNew} is set),
     * or {@code null} when it is new and the table is full.
     */
    LossSite find(Key key, LongFunction<LossSite> fresh, boolean[] isNew) {
        LossSite site = sites.get(key);
        if (site != null) {
            return site;
        }
        if (sites.size() >= limit) {
            dropped.incrementAndGet();
            return null;
        }
        LossSite made = fresh.apply(sequence.incrementAndGet());
        site = sites.putIfAbsent(key, made);
        if (site != null) {
            return site;
        }
        isNew[0] = true;
        return made;
    }

    /** Every site, in the order first seen. */
    List<LossSite> all() {
        List<LossSite> all = new ArrayList<>(sites.values());
        all.sort(Comparator.comparingLong(LossSite::sequence));
        return Collections.unmodifiableList(all);
    }

    /** New sites not kept because the table was full. */
    long dropped() {
        return dropped.get();
    }

    /**
     * Identifies a site: the storage read (or none, for watched work) and its frames, by declaring
     * class and bytecode index. Never by method name: a class's name is cached in the Class, while
     * resolving a frame's method name costs more than the walk itself. Two sites are confused only
     * if every frame of both has the same class and index, which in practice is the same site.
     */
    static final class Key {
        private final int storage;
        private final String[] classes;
        private final int[] indexes;
        private final int hash;

        Key(Object storage, List<StackWalker.StackFrame> frames, StackWalker.StackFrame boundary) {
            int n = frames.size() + (boundary == null ? 0 : 1);
            this.storage = storage == null ? 0 : System.identityHashCode(storage);
            this.classes = new String[n];
            this.indexes = new int[n];
            int h = this.storage;
            for (int i = 0; i < n; i++) {
                StackWalker.StackFrame frame = i < frames.size() ? frames.get(i) : boundary;
                classes[i] = frame.getDeclaringClass().getName();
                indexes[i] = frame.getByteCodeIndex();
                h = 31 * (31 * h + classes[i].hashCode()) + indexes[i];
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof Key)) {
                return false;
            }
            Key that = (Key) other;
            return hash == that.hash && storage == that.storage && Arrays.equals(indexes, that.indexes)
                    && Arrays.equals(classes, that.classes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
