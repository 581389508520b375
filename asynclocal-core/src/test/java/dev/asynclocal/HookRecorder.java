package dev.asynclocal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Hook callbacks that write down every event, for tests that assert on order and content.
 *
 * <p>Hooks are process-wide, so a recorder may also see events about resources other tests made
 * (a destroy queued earlier, a garbage-collected snapshot). Assertions therefore always select the
 * events of the ids the test itself created.
 */
class HookRecorder implements AsyncHook.Callbacks {

    /** One callback invocation, with where and in which execution it ran. */
    static final class Event {
        final String kind;
        final long asyncId;
        final String type;
        final long triggerAsyncId;
        /** Held weakly: a recorder must not keep resources from being garbage-collected. */
        final java.lang.ref.WeakReference<Object> resource;
        final Thread thread;
        final long executionAsyncId;

        Event(String kind, long asyncId, String type, long triggerAsyncId, Object resource) {
            this.kind = kind;
            this.asyncId = asyncId;
            this.type = type;
            this.triggerAsyncId = triggerAsyncId;
            this.resource = new java.lang.ref.WeakReference<>(resource);
            this.thread = Thread.currentThread();
            this.executionAsyncId = AsyncHooks.executionAsyncId();
        }

        @Override
        public String toString() {
            return kind + " " + asyncId;
        }
    }

    private final List<Event> events = new ArrayList<>();
    private final Map<Long, String> types = new ConcurrentHashMap<>();

    /** An id a subclass may single out; free for tests to use. */
    volatile long watched = -1;

    private synchronized void add(Event event) {
        events.add(event);
        notifyAll();
    }

    @Override
    public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
        types.put(asyncId, type);
        add(new Event("init", asyncId, type, triggerAsyncId, resource));
    }

    @Override
    public void before(long asyncId) {
        add(new Event("before", asyncId, types.get(asyncId), 0, null));
    }

    @Override
    public void after(long asyncId) {
        add(new Event("after", asyncId, types.get(asyncId), 0, null));
    }

    @Override
    public void destroy(long asyncId) {
        add(new Event("destroy", asyncId, types.get(asyncId), 0, null));
    }

    @Override
    public void promiseResolve(long asyncId) {
        add(new Event("promiseResolve", asyncId, types.get(asyncId), 0, null));
    }

    synchronized List<Event> events() {
        return new ArrayList<>(events);
    }

    /** The events about the given ids, in order, each as {@code "kind id"}. */
    synchronized List<String> trace(long... ids) {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            if (Arrays.stream(ids).anyMatch(id -> id == e.asyncId)) {
                out.add(e.kind + " " + e.asyncId);
            }
        }
        return out;
    }

    synchronized List<Event> eventsOf(String kind, long asyncId) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if (e.kind.equals(kind) && e.asyncId == asyncId) {
                out.add(e);
            }
        }
        return out;
    }

    synchronized long count(String kind, long asyncId) {
        return eventsOf(kind, asyncId).size();
    }

    /** Waits (bounded) until an event matching {@code condition} has been recorded. */
    synchronized boolean await(Predicate<Event> condition, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            for (Event e : events) {
                if (condition.test(e)) {
                    return true;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    boolean awaitDestroy(long asyncId) throws InterruptedException {
        return await(e -> e.kind.equals("destroy") && e.asyncId == asyncId, 10, TimeUnit.SECONDS);
    }

    /**
     * Waits until every destroy queued so far has been delivered: destroys are delivered in order on
     * one thread, so once a marker queued now arrives, everything queued before it has arrived too.
     * This recorder must be enabled.
     */
    void flushDestroyQueue() throws InterruptedException {
        AsyncResource marker = new AsyncResource("DestroyQueueMarker", 1, true);
        marker.emitDestroy();
        if (!awaitDestroy(marker.asyncId())) {
            throw new AssertionError("the destroy queue did not deliver a marker within 10 s");
        }
    }
}
