package dev.asynclocal.agent.internal;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A concurrent map from objects, compared by identity and held weakly, to values: the side table
 * in which the agent keeps the capture of an object whose identity must not change (a forked
 * {@code ForkJoinTask}, a started {@code Thread}, a scheduled {@code TimerTask}), since the JDK
 * classes cannot be given a new field once loaded.
 *
 * <p>Cost model: {@link #isEmpty()} is one volatile read, so code that finds nothing to look up
 * (no context was ever captured, or every capture was already taken) pays nothing else. The
 * other operations hash the key with {@link System#identityHashCode} and lock one of
 * {@value #SEGMENTS} segments. An entry whose key was garbage-collected is removed by the next
 * {@link #putIfAbsent} or {@link #remove} on any key, which releases its value.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class WeakIdentityMap<K, V> {
    private static final int SEGMENTS = 32;
    private static final int SEGMENT_SHIFT = 27; // 32 - log2(SEGMENTS)

    private final Segment[] segments = new Segment[SEGMENTS];
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    /** Entries present, including collected ones not yet removed. */
    private final AtomicInteger size = new AtomicInteger();

    public WeakIdentityMap() {
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment();
        }
    }

    /**
     * Whether the map holds no entry. One volatile read.
     *
     * @return {@code true} if nothing is mapped
     */
    public boolean isEmpty() {
        return size.get() == 0;
    }

    /**
     * Entries present, including any whose key was collected and that are not removed yet.
     *
     * @return the number of entries
     */
    public int size() {
        return size.get();
    }

    /**
     * Maps {@code key} to {@code value} unless it is mapped already.
     *
     * @param key the key, compared by identity
     * @param value the value
     * @return the value already mapped (and then nothing changed), or {@code null} if {@code value}
     *     was put
     */
    public V putIfAbsent(K key, V value) {
        expungeCollected();
        int hash = hash(key);
        return segmentFor(hash).putIfAbsent(key, value, hash, this);
    }

    /**
     * The value mapped to {@code key}.
     *
     * @param key the key
     * @return the value, or {@code null}
     */
    public V get(Object key) {
        if (isEmpty()) {
            return null;
        }
        int hash = hash(key);
        return segmentFor(hash).get(key, hash);
    }

    /**
     * Removes the mapping of {@code key}.
     *
     * @param key the key
     * @return the value it had, or {@code null}
     */
    public V remove(Object key) {
        if (isEmpty()) {
            return null;
        }
        expungeCollected();
        int hash = hash(key);
        return segmentFor(hash).remove(key, hash, this);
    }

    private static int hash(Object key) {
        // Fibonacci hashing: the top bits choose the segment, the mixed low bits the bucket.
        int h = System.identityHashCode(key) * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private Segment segmentFor(int hash) {
        return segments[hash >>> SEGMENT_SHIFT];
    }

    private void expungeCollected() {
        Reference<?> ref;
        while ((ref = collected.poll()) != null) {
            Entry entry = (Entry) ref;
            segmentFor(entry.hash).unlink(entry, this);
        }
    }

    /** A weakly held key and its value. */
    private static final class Entry extends WeakReference<Object> {
        final int hash;
        Object value;
        Entry next;

        Entry(Object key, Object value, int hash, Entry next, ReferenceQueue<Object> queue) {
            super(key, queue);
            this.hash = hash;
            this.value = value;
            this.next = next;
        }
    }

    /** A chained hash table guarded by its own monitor. */
    private static final class Segment {
        private Entry[] table = new Entry[8];
        private int count;

        synchronized <V> V putIfAbsent(Object key, V value, int hash, WeakIdentityMap<?, ?> map) {
            int index = hash & (table.length - 1);
            for (Entry e = table[index]; e != null; e = e.next) {
                if (e.get() == key) {
                    @SuppressWarnings("unchecked")
                    V existing = (V) e.value;
                    return existing;
                }
            }
            table[index] = new Entry(key, value, hash, table[index], map.collected);
            count++;
            map.size.incrementAndGet();
            if (count > table.length - (table.length >>> 2)) {
                grow();
            }
            return null;
        }

        synchronized <V> V get(Object key, int hash) {
            for (Entry e = table[hash & (table.length - 1)]; e != null; e = e.next) {
                if (e.get() == key) {
                    @SuppressWarnings("unchecked")
                    V value = (V) e.value;
                    return value;
                }
            }
            return null;
        }

        synchronized <V> V remove(Object key, int hash, WeakIdentityMap<?, ?> map) {
            int index = hash & (table.length - 1);
            Entry previous = null;
            for (Entry e = table[index]; e != null; previous = e, e = e.next) {
                if (e.get() == key) {
                    unlink(index, previous, e, map);
                    e.clear(); // nothing to expunge later
                    @SuppressWarnings("unchecked")
                    V value = (V) e.value;
                    e.value = null;
                    return value;
                }
            }
            return null;
        }

        /** Removes an entry whose key was collected, if still present. */
        synchronized void unlink(Entry stale, WeakIdentityMap<?, ?> map) {
            int index = stale.hash & (table.length - 1);
            Entry previous = null;
            for (Entry e = table[index]; e != null; previous = e, e = e.next) {
                if (e == stale) {
                    unlink(index, previous, e, map);
                    e.value = null;
                    return;
                }
            }
        }

        private void unlink(int index, Entry previous, Entry e, WeakIdentityMap<?, ?> map) {
            if (previous == null) {
                table[index] = e.next;
            } else {
                previous.next = e.next;
            }
            count--;
            map.size.decrementAndGet();
        }

        private void grow() {
            Entry[] old = table;
            Entry[] grown = new Entry[old.length * 2];
            for (Entry head : old) {
                Entry e = head;
                while (e != null) {
                    Entry next = e.next;
                    int index = e.hash & (grown.length - 1);
                    e.next = grown[index];
                    grown[index] = e;
                    e = next;
                }
            }
            table = grown;
        }
    }
}
