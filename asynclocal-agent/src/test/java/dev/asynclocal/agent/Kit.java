package dev.asynclocal.agent;

import java.time.Duration;
import org.awaitility.Awaitility;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncLocalStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Shared pieces of the propagation tests: the store every scenario uses, a hook recorder, and
 * waiting helpers. Hooks are process-wide: a test selects the events of the ids it made, and
 * disables its recorder in a {@code finally} (or an {@code @AfterEach}).
 */
final class Kit {
    static final long TIMEOUT_SECONDS = 20;

    /** The store every scenario sets and reads. */
    static final AsyncLocalStorage<String> STORE = new AsyncLocalStorage<>("store");

    private Kit() {
    }

    /** Waits for a latch; fails the test after the timeout. */
    static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("latch released in time").isTrue();
    }

    /** Waits for a latch, turning an interrupt into a return (for tasks that are meant to be interrupted). */
    static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code executionAsyncId()} and {@code triggerAsyncId()} where it is called. */
    static long[] ids() {
        return new long[] {AsyncHooks.executionAsyncId(), AsyncHooks.triggerAsyncId()};
    }

    static <V> V get(Future<V> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Polls {@code condition}; fails after the timeout. */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).pollInSameThread().pollInterval(Duration.ofMillis(2))
                .atMost(Duration.ofSeconds(TIMEOUT_SECONDS)).until(condition::getAsBoolean);
    }

    /** One hook event and where it happened. */
    static final class Event {
        final String kind;
        final long asyncId;
        final String type;
        final long triggerAsyncId;
        final Thread thread;
        /** executionAsyncId() where the event was delivered. */
        final long executionAsyncId;
        /** The store current where the event was delivered. */
        final String store;

        Event(String kind, long asyncId, String type, long triggerAsyncId) {
            this.kind = kind;
            this.asyncId = asyncId;
            this.type = type;
            this.triggerAsyncId = triggerAsyncId;
            this.thread = Thread.currentThread();
            this.executionAsyncId = AsyncHooks.executionAsyncId();
            this.store = STORE.getStore();
        }

        @Override
        public String toString() {
            return kind + " " + asyncId + (type != null ? " " + type + " <- " + triggerAsyncId : "");
        }
    }

    /** Records every hook event while enabled. */
    static final class Recorder implements AsyncHook.Callbacks, AutoCloseable {
        private final List<Event> events = new ArrayList<>();
        private final AsyncHook hook = AsyncHooks.createHook(this);

        Recorder enable() {
            hook.enable();
            return this;
        }

        @Override
        public void close() {
            hook.disable();
        }

        private synchronized void add(Event e) {
            events.add(e);
            notifyAll();
        }

        @Override
        public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            add(new Event("init", asyncId, type, triggerAsyncId));
        }

        @Override
        public void before(long asyncId) {
            add(new Event("before", asyncId, null, 0));
        }

        @Override
        public void after(long asyncId) {
            add(new Event("after", asyncId, null, 0));
        }

        @Override
        public void destroy(long asyncId) {
            add(new Event("destroy", asyncId, null, 0));
        }

        @Override
        public void promiseResolve(long asyncId) {
            add(new Event("promiseResolve", asyncId, null, 0));
        }

        synchronized List<Event> all() {
            return new ArrayList<>(events);
        }

        synchronized List<Event> inits(String type) {
            return events.stream().filter(e -> e.kind.equals("init") && type.equals(e.type)).collect(Collectors.toList());
        }

        /** The inits of {@code type} whose trigger is {@code trigger}. */
        synchronized List<Event> initsTriggeredBy(String type, long trigger) {
            return inits(type).stream().filter(e -> e.triggerAsyncId == trigger).collect(Collectors.toList());
        }

        /** The one init of {@code type} triggered by {@code trigger}. */
        Event onlyInit(String type, long trigger) {
            List<Event> inits = initsTriggeredBy(type, trigger);
            assertThat(inits).as("inits of %s triggered by %s in %s", type, trigger, all()).hasSize(1);
            return inits.get(0);
        }

        synchronized List<String> kinds(long asyncId) {
            return events.stream().filter(e -> e.asyncId == asyncId).map(e -> e.kind).collect(Collectors.toList());
        }

        synchronized Event first(long asyncId, String kind) {
            return events.stream().filter(e -> e.asyncId == asyncId && e.kind.equals(kind)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " of " + asyncId + " in " + events));
        }

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

        void awaitDestroy(long asyncId) throws InterruptedException {
            await(e -> e.asyncId == asyncId && e.kind.equals("destroy"), "destroy of " + asyncId);
        }

        /** Waits for the destroy of an operation nobody finished, collecting garbage meanwhile. */
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
}
