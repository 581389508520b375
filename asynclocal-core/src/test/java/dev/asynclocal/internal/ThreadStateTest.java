package dev.asynclocal.internal;

import dev.asynclocal.internal.diagnostics.ScopeEntries;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.internal.diagnostics.ScopeEntries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code getStore()} reads follows every way of writing the thread's frame, and a thread
 * back outside any context holds nothing of the library.
 */
class ThreadStateTest {
    private final FrameKey first = new FrameKey();
    private final FrameKey second = new FrameKey();

    @AfterEach
    void leaveEmpty() {
        ThreadState.exit(Frame.EMPTY);
    }

    @Test
    void lookupFollowsEveryWriteOfTheFrame() {
        Frame a = Frame.EMPTY.with(first, "a1").with(second, "a2");
        Frame b = Frame.EMPTY.with(second, "b2");

        ThreadState.enter(a);
        assertThat(ThreadState.lookup(first)).isEqualTo("a1");
        assertThat(ThreadState.lookup(second)).isEqualTo("a2");

        ThreadState.exit(b);
        assertThat(ThreadState.lookup(first)).isSameAs(Frame.ABSENT);
        assertThat(ThreadState.lookup(second)).isEqualTo("b2");

        ThreadState.enter(Frame.EMPTY);
        assertThat(ThreadState.isEmpty()).isTrue();
        assertThat(ThreadState.lookup(first)).isSameAs(Frame.ABSENT);
        assertThat(ThreadState.lookup(second)).isSameAs(Frame.ABSENT);

        ThreadState.exit(a);
        assertThat(ThreadState.lookup(first)).isEqualTo("a1");
        ThreadState.exit(Frame.EMPTY);
        assertThat(ThreadState.lookup(first)).isSameAs(Frame.ABSENT);
    }

    @Test
    void aNullFirstStoreIsAStoreNotAnAbsence() {
        ThreadState.enter(Frame.EMPTY.with(first, null));
        assertThat(ThreadState.lookup(first)).isNull();
        assertThat(ThreadState.lookup(second)).isSameAs(Frame.ABSENT);
    }

    @Test
    void anIdleThreadHoldsNoLibraryObject() {
        Object[] state = ThreadState.state();
        ThreadState.enter(Frame.EMPTY.with(first, "x"));
        ThreadState.enterResource(state, 42, 7, new Object());
        ThreadState.enterResource(state, ThreadState.TOP_LEVEL_ID, 0, ThreadState.TOP_LEVEL_RESOURCE);
        ThreadState.enter(Frame.EMPTY);
        assertThat(ThreadState.isEmpty()).isTrue();
        for (Object slot : state) {
            assertThat(slot == null || slot.getClass().getClassLoader() == null)
                    .as("slot %s is a JDK object or null", slot)
                    .isTrue();
        }
    }

    @Test
    void whileAListenerIsInstalledAnotherThreadSeesEachSwitch() throws Exception {
        Frame inside = Frame.EMPTY.with(first, "worker's");
        ScopeEntries.Listener previous = ScopeEntries.install((storage, store, state, before, installed, scope) -> { });
        try {
            Object[][] workerState = new Object[1][];
            java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch leave = new java.util.concurrent.CountDownLatch(1);
            Thread worker = new Thread(() -> {
                workerState[0] = ThreadState.state();
                ThreadState.enter(inside);
                entered.countDown();
                try {
                    leave.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ThreadState.enter(Frame.EMPTY);
            });
            worker.start();
            entered.await();
            assertThat(ThreadState.frameSeenFromAnotherThread(workerState[0])).isSameAs(inside);
            leave.countDown();
            worker.join();
            assertThat(ThreadState.frameSeenFromAnotherThread(workerState[0])).isSameAs(Frame.EMPTY);
        } finally {
            ScopeEntries.install(previous);
        }
    }

    @Test
    void aCopyLeftBehindByTheLeakListenerPinsNothing() {
        ScopeEntries.Listener previous = ScopeEntries.install((storage, store, state, before, installed, scope) -> { });
        try {
            ThreadState.enter(Frame.EMPTY.with(first, "copied"));
        } finally {
            ScopeEntries.install(previous);
        }
        // With no listener this switch is not copied: the copy still names the frame above.
        ThreadState.enter(Frame.EMPTY);
        for (Object slot : ThreadState.state()) {
            assertThat(slot == null || slot.getClass().getClassLoader() == null)
                    .as("slot %s is a JDK object or null", slot)
                    .isTrue();
        }
    }
}
