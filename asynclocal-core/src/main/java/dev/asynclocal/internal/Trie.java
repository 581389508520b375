package dev.asynclocal.internal;

/**
 * A persistent hash array mapped trie from {@link FrameKey} to store, used by {@link Frame} once a
 * context holds more entries than fit its flat array.
 *
 * <p>Each {@link Node} covers 5 bits of the key's hash. Its {@code bitmap} says which of the 32
 * slots are used, and {@code cells} holds two cells per used slot, in bit order: either
 * {@code (key, store)} for an entry, or {@code (null, child)} for a sub-node. Updates copy the path
 * from the root to the changed slot only: O(log<sub>32</sub> n) allocation, and every earlier trie
 * stays valid. Two keys with the same 32-bit hash (possible only after 2^32 keys were made) share
 * a {@link Collision} node below the last level.
 */
final class Trie {
    static final Trie EMPTY = new Trie(new Node(0, new Object[0]));

    private final Node root;

    private Trie(Node root) {
        this.root = root;
    }

    Object get(FrameKey key) {
        return root.get(key, key.hash, 0);
    }

    Trie with(FrameKey key, Object store) {
        Node updated = root.with(key, key.hash, store, 0);
        return updated == root ? this : new Trie(updated);
    }

    Trie without(FrameKey key) {
        Node updated = root.without(key, key.hash, 0);
        return updated == root ? this : updated == null ? EMPTY : new Trie(updated);
    }

    int size() {
        return root.size();
    }

    boolean forEachEntry(Frame.EntryVisitor visitor) {
        return root.forEachEntry(visitor);
    }

    private static int index(int bitmap, int bit) {
        return Integer.bitCount(bitmap & (bit - 1)) * 2;
    }

    private static int bitFor(int hash, int shift) {
        return 1 << ((hash >>> shift) & 31);
    }

    /** A node of the trie; immutable. */
    static class Node {
        final int bitmap;
        final Object[] cells;

        Node(int bitmap, Object[] cells) {
            this.bitmap = bitmap;
            this.cells = cells;
        }

        Object get(FrameKey key, int hash, int shift) {
            Node node = this;
            while (true) {
                if (node instanceof Collision) {
                    return ((Collision) node).find(key);
                }
                int bit = bitFor(hash, shift);
                if ((node.bitmap & bit) == 0) {
                    return Frame.ABSENT;
                }
                int i = index(node.bitmap, bit);
                Object k = node.cells[i];
                if (k == null) {
                    node = (Node) node.cells[i + 1];
                    shift += 5;
                } else {
                    return k == key ? node.cells[i + 1] : Frame.ABSENT;
                }
            }
        }

        Node with(FrameKey key, int hash, Object store, int shift) {
            int bit = bitFor(hash, shift);
            int i = index(bitmap, bit);
            if ((bitmap & bit) == 0) {
                Object[] grown = new Object[cells.length + 2];
                System.arraycopy(cells, 0, grown, 0, i);
                grown[i] = key;
                grown[i + 1] = store;
                System.arraycopy(cells, i, grown, i + 2, cells.length - i);
                return new Node(bitmap | bit, grown);
            }
            Object k = cells[i];
            Object v = cells[i + 1];
            if (k == null) {
                Node child = (Node) v;
                Node updatedChild = child.with(key, hash, store, shift + 5);
                return updatedChild == child ? this : replace(i, null, updatedChild);
            }
            if (k == key) {
                return v == store ? this : replace(i, key, store);
            }
            Node pair = pair((FrameKey) k, v, key, store, shift + 5);
            return replace(i, null, pair);
        }

        /** The node without {@code key}; {@code null} when nothing is left in it. */
        Node without(FrameKey key, int hash, int shift) {
            int bit = bitFor(hash, shift);
            if ((bitmap & bit) == 0) {
                return this;
            }
            int i = index(bitmap, bit);
            Object k = cells[i];
            if (k == null) {
                Node child = (Node) cells[i + 1];
                Node updatedChild = child.without(key, hash, shift + 5);
                if (updatedChild == child) {
                    return this;
                }
                return updatedChild == null ? remove(i, bit) : replace(i, null, updatedChild);
            }
            return k == key ? remove(i, bit) : this;
        }

        boolean forEachEntry(Frame.EntryVisitor visitor) {
            for (int i = 0; i < cells.length; i += 2) {
                boolean goOn = cells[i] == null
                        ? ((Node) cells[i + 1]).forEachEntry(visitor)
                        : visitor.visit((FrameKey) cells[i], cells[i + 1]);
                if (!goOn) {
                    return false;
                }
            }
            return true;
        }

        int size() {
            int n = 0;
            for (int i = 0; i < cells.length; i += 2) {
                n += cells[i] == null ? ((Node) cells[i + 1]).size() : 1;
            }
            return n;
        }

        private Node replace(int i, Object key, Object value) {
            Object[] copy = cells.clone();
            copy[i] = key;
            copy[i + 1] = value;
            return new Node(bitmap, copy);
        }

        private Node remove(int i, int bit) {
            if (cells.length == 2) {
                return null;
            }
            Object[] shrunk = new Object[cells.length - 2];
            System.arraycopy(cells, 0, shrunk, 0, i);
            System.arraycopy(cells, i + 2, shrunk, i, cells.length - i - 2);
            return new Node(bitmap & ~bit, shrunk);
        }

        /** A node holding two entries whose hashes agree on every bit below {@code shift}. */
        private static Node pair(FrameKey k1, Object v1, FrameKey k2, Object v2, int shift) {
            if (shift >= 32) {
                return new Collision(new Object[] {k1, v1, k2, v2});
            }
            int b1 = bitFor(k1.hash, shift);
            int b2 = bitFor(k2.hash, shift);
            if (b1 == b2) {
                return new Node(b1, new Object[] {null, pair(k1, v1, k2, v2, shift + 5)});
            }
            // Cells follow bit order; compare unsigned since bit 31 makes a negative int.
            return Integer.compareUnsigned(b1, b2) < 0
                    ? new Node(b1 | b2, new Object[] {k1, v1, k2, v2})
                    : new Node(b1 | b2, new Object[] {k2, v2, k1, v1});
        }
    }

    /** Keys whose full hashes are equal: a flat list, scanned by identity. */
    static final class Collision extends Node {
        Collision(Object[] entries) {
            super(0, entries);
        }

        Object find(FrameKey key) {
            for (int i = 0; i < cells.length; i += 2) {
                if (cells[i] == key) {
                    return cells[i + 1];
                }
            }
            return Frame.ABSENT;
        }

        @Override
        Object get(FrameKey key, int hash, int shift) {
            return find(key);
        }

        @Override
        Node with(FrameKey key, int hash, Object store, int shift) {
            for (int i = 0; i < cells.length; i += 2) {
                if (cells[i] == key) {
                    if (cells[i + 1] == store) {
                        return this;
                    }
                    Object[] copy = cells.clone();
                    copy[i + 1] = store;
                    return new Collision(copy);
                }
            }
            Object[] grown = java.util.Arrays.copyOf(cells, cells.length + 2);
            grown[cells.length] = key;
            grown[cells.length + 1] = store;
            return new Collision(grown);
        }

        @Override
        Node without(FrameKey key, int hash, int shift) {
            for (int i = 0; i < cells.length; i += 2) {
                if (cells[i] == key) {
                    if (cells.length == 2) {
                        return null;
                    }
                    Object[] shrunk = new Object[cells.length - 2];
                    System.arraycopy(cells, 0, shrunk, 0, i);
                    System.arraycopy(cells, i + 2, shrunk, i, cells.length - i - 2);
                    return new Collision(shrunk);
                }
            }
            return this;
        }

        @Override
        int size() {
            return cells.length / 2;
        }
    }
}
