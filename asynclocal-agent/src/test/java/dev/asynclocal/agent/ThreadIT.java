package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.AsyncResource;
import dev.asynclocal.agent.Kit.Event;
import dev.asynclocal.agent.Kit.Recorder;
import dev.asynclocal.agent.internal.ThreadSupport;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code Thread.start} under the agent: a plain thread's {@code run()} sees the context current
 * where {@code start} was called (not where the thread was constructed), and only for its
 * {@code run()}; a subclass of {@code Thread} sees none. Threads that serve other work are in
 * {@link LongLivedThreadsIT}.
 */
class ThreadIT {
    static String runAndJoin(Thread thread) throws InterruptedException {
        thread.start();
        thread.join(TIMEOUT_SECONDS * 1000);
        assertThat(thread.isAlive()).isFalse();
        return null;
    }

    @Test
    void aStartedThreadRunsInTheStartersContext() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread thread = new Thread(() -> seen.set(STORE.getStore()));
        STORE.run("starter", () -> runAndJoinUnchecked(thread));
        assertThat(seen.get()).isEqualTo("starter");
    }

    @Test
    void theContextIsTheOneAtStartNotAtConstruction() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread thread = STORE.run("constructed", () -> new Thread(() -> seen.set(STORE.getStore())));
        STORE.run("started", () -> runAndJoinUnchecked(thread));
        assertThat(seen.get()).isEqualTo("started");
        AtomicReference<String> none = new AtomicReference<>("not run");
        Thread outside = STORE.run("constructed", () -> new Thread(() -> none.set(STORE.getStore())));
        runAndJoin(outside);
        assertThat(none.get()).isNull();
    }

    static final class Subclass extends Thread {
        final AtomicReference<String> seen = new AtomicReference<>();

        @Override
        public void run() {
            seen.set(STORE.getStore());
        }
    }

    static final class SubclassCallingSuper extends Thread {
        final AtomicReference<String> seenHere = new AtomicReference<>();

        SubclassCallingSuper(Runnable target) {
            super(target);
        }

        @Override
        public void run() {
            seenHere.set(STORE.getStore());
            super.run();
        }
    }

    /** A subclass two levels below Thread, whose superclass does not override run. */
    static class Middle extends Thread {
    }

    static final class Deep extends Middle {
        final AtomicReference<String> seen = new AtomicReference<>();

        @Override
        public void run() {
            seen.set(STORE.getStore());
        }
    }

    /**
     * A subclass of {@code Thread} is how libraries write their workers and event loops, so it
     * inherits nothing (docs/agent.md, "New threads"); a task bound with
     * {@code AsyncLocalStorage.bind} carries its context into one all the same.
     */
    @Test
    void subclassesInheritNothingButABoundTargetRunsInItsContext() throws Exception {
        Subclass subclass = new Subclass();
        STORE.run("subclass", () -> runAndJoinUnchecked(subclass));
        assertThat(subclass.seen.get()).isNull();

        AtomicReference<String> seenByTarget = new AtomicReference<>();
        SubclassCallingSuper both = new SubclassCallingSuper(() -> seenByTarget.set(STORE.getStore()));
        STORE.run("both", () -> runAndJoinUnchecked(both));
        assertThat(both.seenHere.get()).isNull();
        assertThat(seenByTarget.get()).isNull();

        Deep deep = new Deep();
        STORE.run("deep", () -> runAndJoinUnchecked(deep));
        assertThat(deep.seen.get()).isNull();

        AtomicReference<String> seenByBound = new AtomicReference<>();
        SubclassCallingSuper bound = STORE.run("bound", () ->
                new SubclassCallingSuper(AsyncLocalStorage.bind(() -> seenByBound.set(STORE.getStore()))));
        runAndJoin(bound);
        assertThat(bound.seenHere.get()).isNull();
        assertThat(seenByBound.get()).isEqualTo("bound");
    }

    @Test
    void callingRunDirectlyIsAnOrdinaryCall() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread notStarted = new Thread(() -> seen.set(STORE.getStore()));
        STORE.run("caller", notStarted::run);
        assertThat(seen.get()).isEqualTo("caller");
        Subclass subclass = new Subclass();
        STORE.run("caller-of-subclass", subclass::run);
        assertThat(subclass.seen.get()).isEqualTo("caller-of-subclass");
    }

    @Test
    void anEnterWithInTheThreadStaysInTheThreadAndTheStarterKeepsItsOwn() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        STORE.run("starter", () -> {
            Thread t = new Thread(() -> {
                STORE.enterWith("changed in the thread");
                seen.set(STORE.getStore());
            });
            runAndJoinUnchecked(t);
            assertThat(STORE.getStore()).isEqualTo("starter");
        });
        assertThat(seen.get()).isEqualTo("changed in the thread");
    }

    @Test
    void startingTwiceFailsAsUsualAndLeavesNothingBehind() throws Exception {
        Thread thread = new Thread(() -> { });
        STORE.run("first", () -> runAndJoinUnchecked(thread));
        int pending = ThreadSupport.pendingCount();
        assertThatThrownBy(() -> STORE.run("second", thread::start)).isInstanceOf(IllegalThreadStateException.class);
        assertThat(ThreadSupport.pendingCount()).isEqualTo(pending);
    }

    @Test
    void aThreadIsAResourceTriggeredByItsStarter() throws Exception {
        try (Recorder recorder = new Recorder().enable()) {
            AsyncResource starter = new AsyncResource("Starter");
            AtomicReference<long[]> inside = new AtomicReference<>();
            Thread thread = new Thread(() -> inside.set(Kit.ids()), "traced");
            starter.runInAsyncScope(() -> runAndJoinUnchecked(thread));
            Event init = recorder.onlyInit("Thread", starter.asyncId());
            assertThat(inside.get()).containsExactly(init.asyncId, starter.asyncId());
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "destroy");
            assertThat(recorder.first(init.asyncId, "before").thread).isSameAs(thread);
        }
    }

    static void runAndJoinUnchecked(Thread thread) {
        try {
            runAndJoin(thread);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
