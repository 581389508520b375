package dev.asynclocal.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
        ThreadState.restore(ThreadState.current(), null);
    }

    @Test
    void lookupFollowsEveryWriteOfTheFrame() {
        Object[] state = ThreadState.current();
        Frame a = Frame.EMPTY.with(first, "a1").with(second, "a2");
        Frame b = Frame.EMPTY.with(second, "b2");

        ThreadState.setFrame(state, a);
        assertThat(ThreadState.lookup(first)).isEqualTo("a1");
        assertThat(ThreadState.lookup(second)).isEqualTo("a2");

        ThreadState.restore(state, b);
        assertThat(ThreadState.lookup(first)).isSameAs(Frame.ABSENT);
        assertThat(ThreadState.lookup(second)).isEqualTo("b2");

        ThreadState.setFrame(state, Frame.EMPTY);
        assertThat(ThreadState.saved(state)).isNull();
        assertThat(ThreadState.lookup(first)).isSameAs(Frame.ABSENT);
        assertThat(ThreadState.lookup(second)).isSameAs(Frame.ABSENT);

        ThreadState.restore(state, a);
        assertThat(ThreadState.lookup(first)).isEqualTo("a1");
        ThreadState.restore(state, null);
        assertThat(ThreadState.lookup(first)).isSameAs(Frame.ABSENT);
    }

    @Test
    void aNullFirstStoreIsAStoreNotAnAbsence() {
        ThreadState.setFrame(ThreadState.current(), Frame.EMPTY.with(first, null));
        assertThat(ThreadState.lookup(first)).isNull();
        assertThat(ThreadState.lookup(second)).isSameAs(Frame.ABSENT);
    }

    @Test
    void anIdleThreadHoldsNoLibraryObject() {
        Object[] state = ThreadState.current();
        ThreadState.setFrame(state, Frame.EMPTY.with(first, "x"));
        ThreadState.enterResource(state, 42, 7, new Object());
        ThreadState.enterResource(state, ThreadState.TOP_LEVEL_ID, 0, ThreadState.TOP_LEVEL_RESOURCE);
        ThreadState.setFrame(state, Frame.EMPTY);
        for (Object slot : state) {
            assertThat(slot == null || slot.getClass().getClassLoader() == null)
                    .as("slot %s is a JDK object or null", slot)
                    .isTrue();
        }
    }
}
