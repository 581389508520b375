package dev.asynclocal.junit;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.internal.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records every {@code enterWith}/{@code withScope} made while at least one test is being
 * checked, with the thread, the frames before and after, and the stack of the call. Installs the
 * core's {@link ScopeEntries} listener while anything is open, and removes it afterwards, so that
 * tests without the extension pay nothing.
 */
final class Tracking {
    private static final Set<Collector> ACTIVE = ConcurrentHashMap.newKeySet();
    private static final Object LOCK = new Object();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final int SITE_FRAMES = 12;
    private static final Engine.ScopeListener LISTENER = Tracking::entered;

    private Tracking() {
    }

    /** One {@code enterWith} or {@code withScope} call. */
    static final class Entry {
        final long sequence;
        final Thread thread;
        final Object[] state;
        final String storage;
        final String store;
        final boolean scope;
        final Object previous;
        final Object installed;
        final List<StackTraceElement> site;
        /** Set once a check has looked at this call, so that an enclosing (class-level) check skips it. */
        volatile boolean checked;

        Entry(long sequence, Thread thread, Object[] state, String storage, String store, boolean scope,
                Object previous, Object installed, List<StackTraceElement> site) {
            this.sequence = sequence;
            this.thread = thread;
            this.state = state;
            this.storage = storage;
            this.store = store;
            this.scope = scope;
            this.previous = previous;
            this.installed = installed;
            this.site = site;
        }
    }

    /** The entries made while one test (or one class, for the class-level check) ran. */
    static final class Collector {
        private final List<Entry> entries = new ArrayList<>();

        synchronized void add(Entry entry) {
            entries.add(entry);
        }

        /** The calls no narrower check has looked at yet. */
        synchronized List<Entry> unchecked() {
            List<Entry> result = new ArrayList<>(entries.size());
            for (Entry entry : entries) {
                if (!entry.checked) {
                    result.add(entry);
                }
            }
            return result;
        }
    }

    static Collector open() {
        Collector collector = new Collector();
        synchronized (LOCK) {
            if (ACTIVE.isEmpty()) {
                Engine.installScopeListener(LISTENER);
            }
            ACTIVE.add(collector);
        }
        return collector;
    }

    static void close(Collector collector) {
        synchronized (LOCK) {
            ACTIVE.remove(collector);
            if (ACTIVE.isEmpty() && Engine.scopeListener() == LISTENER) {
                Engine.installScopeListener(null);
            }
        }
    }

    private static void entered(Object storage, Object store, Object[] state, Object previous, Object installed,
            boolean scope) {
        if (installed == previous) {
            return; // the same store again: nothing changed, nothing can leak
        }
        Entry entry = new Entry(SEQUENCE.incrementAndGet(), Thread.currentThread(), state, describe(storage),
                describeStore(store), scope, previous, installed, site());
        for (Collector collector : ACTIVE) {
            collector.add(entry);
        }
    }

    /** The caller's stack, from the user's call down to the test framework (excluded). */
    private static List<StackTraceElement> site() {
        return WALKER.walk(frames -> {
            List<StackTraceElement> site = new ArrayList<>();
            frames.filter(f -> !f.getClassName().startsWith("dev.asynclocal.internal.")
                            && !f.getClassName().equals(AsyncLocalStorage.class.getName())
                            && !f.getClassName().startsWith(Tracking.class.getName()))
                    .takeWhile(f -> !f.getClassName().startsWith("org.junit."))
                    .limit(SITE_FRAMES)
                    .forEach(f -> site.add(f.toStackTraceElement()));
            return site;
        });
    }

    private static String describe(Object storage) {
        String name = storage instanceof AsyncLocalStorage ? ((AsyncLocalStorage<?>) storage).name() : "";
        return name.isEmpty() ? "AsyncLocalStorage@" + Integer.toHexString(System.identityHashCode(storage)) : name;
    }

    private static String describeStore(Object store) {
        String text;
        try {
            text = String.valueOf(store);
        } catch (RuntimeException e) {
            text = store.getClass().getName() + " (toString() threw " + e + ")";
        }
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
