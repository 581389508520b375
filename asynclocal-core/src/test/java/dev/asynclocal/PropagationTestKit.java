package dev.asynclocal;

import java.time.Duration;
import org.awaitility.Awaitility;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Helpers for the propagation tests (executors, futures, threads): a hook that records events
 * with the ids seen where they happened, and small waiting utilities. Hooks are process-wide:
 * assertions select the events of ids the test made itself, and every hook is disabled in a
 * {@code finally}.
 */
final class PropagationTestKit {
    private PropagationTestKit() {
    }

    static final long TIMEOUT_SECONDS = 20;

    /** One hook event and where it happened. */
    static final class Event {
        final String kind;
        final long asyncId;
        final String type;
        final long triggerAsyncId;
        final Object resource;
        final Thread thread;
        final long executionAsyncId;

        Event(String kind, long asyncId, String type, long triggerAsyncId, Object resource) {
            this.kind = kind;
            this.asyncId = asyncId;
            this.type = type;
            this.triggerAsyncId = triggerAsyncId;
            this.resource = resource;
            this.thread = Thread.currentThread();
            this.executionAsyncId = AsyncHooks.executionAsyncId();
        }

        @Override
        public String toString() {
            return kind + " " + asyncId + (type != null ? " " + type + " <- " + triggerAsyncId : "");
        }
    }

    /**
     * Records every event. Resources are held strongly only while {@code keepResources} is set:
     * tests of garbage-collection destroy must not keep them alive.
     */
    static final class Recorder implements AsyncHook.Callbacks {
        private final List<Event> events = new ArrayList<>();
        private final boolean keepResources;
        final AsyncHook hook;

        Recorder() {
            this(true);
        }

        Recorder(boolean keepResources) {
            this.keepResources = keepResources;
            this.hook = AsyncHooks.createHook(this);
        }

        Recorder enable() {
            hook.enable();
            return this;
        }

        void disable() {
            hook.disable();
        }

        private synchronized void add(Event e) {
            events.add(e);
            notifyAll();
        }

        @Override
        public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            add(new Event("init", asyncId, type, triggerAsyncId, keepResources ? resource : null));
        }

        @Override
        public void before(long asyncId) {
            add(new Event("before", asyncId, null, 0, null));
        }

        @Override
        public void after(long asyncId) {
            add(new Event("after", asyncId, null, 0, null));
        }

        @Override
        public void destroy(long asyncId) {
            add(new Event("destroy", asyncId, null, 0, null));
        }

        @Override
        public void promiseResolve(long asyncId) {
            add(new Event("promiseResolve", asyncId, null, 0, null));
        }

        synchronized List<Event> all() {
            return new ArrayList<>(events);
        }

        /** The init events of {@code type}, in order. */
        synchronized List<Event> inits(String type) {
            return events.stream().filter(e -> e.kind.equals("init") && type.equals(e.type))
                    .collect(Collectors.toList());
        }

        /** The one init event of {@code type}; fails if there is not exactly one. */
        Event onlyInit(String type) {
            List<Event> inits = inits(type);
            assertThat(inits).as("init events of type %s in %s", type, all()).hasSize(1);
            return inits.get(0);
        }

        /** The kinds of the events of {@code asyncId}, in order ("init", "before", ...). */
        synchronized List<String> kinds(long asyncId) {
            return events.stream().filter(e -> e.asyncId == asyncId).map(e -> e.kind).collect(Collectors.toList());
        }

        synchronized List<Event> of(long asyncId, String kind) {
            return events.stream().filter(e -> e.asyncId == asyncId && e.kind.equals(kind))
                    .collect(Collectors.toList());
        }

        /** Waits until an event matching {@code condition} was recorded; fails after the timeout. */
        synchronized void await(Predicate<Event> condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (events.stream().noneMatch(condition)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + TIMEOUT_SECONDS + " s; events: " + events);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /** Waits for the destroy of {@code asyncId} (delivered later, on the destroy thread). */
        void awaitDestroy(long asyncId) throws InterruptedException {
            await(e -> e.asyncId == asyncId && e.kind.equals("destroy"), "destroy of " + asyncId);
        }

        /**
         * Returns once every destroy queued so far has been delivered: the destroy thread delivers
         * in order, so a marker queued now arrives after all of them. Lets a test assert that
         * something did not (yet) happen without sleeping.
         */
        void flushDestroyQueue() throws InterruptedException {
            AsyncResource marker = new AsyncResource("DestroyQueueMarker", 1, true);
            marker.emitDestroy();
            awaitDestroy(marker.asyncId());
        }

        /**
         * Waits for the destroy of {@code asyncId}, asking for garbage collection meanwhile (for
         * operations that nobody finished, destroyed when their wrapper is collected).
         */
        void awaitDestroyAfterGc(long asyncId) throws InterruptedException {
            Awaitility.await("destroy of " + asyncId + " after GC").pollInSameThread()
                    .pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(TIMEOUT_SECONDS))
                    .until(() -> {
                        if (kinds(asyncId).contains("destroy")) {
                            return true;
                        }
                        System.gc();
                        return false;
                    });
        }
    }

    /** Waits until {@code condition} holds, polling; fails after the timeout. */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).pollInSameThread().pollInterval(Duration.ofMillis(2))
                .atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(condition::getAsBoolean);
    }

    /**
     * Runs {@code body} on a new platform thread and returns its result, rethrowing what it threw;
     * the JUnit thread's own context stays untouched.
     */
    static <V> V onNewThread(String name, Callable<V> body) throws Exception {
        FutureTask<V> task = new FutureTask<>(body);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw e;
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AssertionError("thread " + name + " did not finish", e);
        }
    }
}
