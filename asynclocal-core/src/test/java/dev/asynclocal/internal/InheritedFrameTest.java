package dev.asynclocal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core of the rule for threads that inherit provisionally (docs/agent.md, "New threads"): an
 * inherited copy reads like its original and is released at a wait for work only while it is the
 * very context the thread inherited; anything the thread sets itself, or is handed, is kept.
 */
class InheritedFrameTest {
    private final FrameKey key = new FrameKey();
    private final FrameKey other = new FrameKey();

    @AfterEach
    void leaveEmpty() {
        ThreadState.forgetInherited();
        ThreadState.exit(Frame.EMPTY);
    }

    @Test
    void anInheritedCopyHasTheSameEntriesAndAnIdentityOfItsOwn() {
        Frame original = Frame.EMPTY.with(key, "v").with(other, null);
        Frame copy = original.inheritedCopy();
        assertThat(copy).isNotSameAs(original);
        assertThat(copy.isInheritedCopy()).isTrue();
        assertThat(original.isInheritedCopy()).isFalse();
        assertThat(copy.get(key)).isEqualTo("v");
        assertThat(copy.get(other)).isNull();
        assertThat(copy.size()).isEqualTo(2);
        assertThat(copy.inheritedCopy().isInheritedCopy()).isTrue();
    }

    @Test
    void anyChangeOfAnInheritedCopyEvenToTheSameValuesIsAnOrdinaryFrame() {
        Frame copy = Frame.EMPTY.with(key, "v").inheritedCopy();
        assertThat(copy.with(key, "v").isInheritedCopy()).isFalse();
        assertThat(copy.with(key, "v").get(key)).isEqualTo("v");
        assertThat(copy.with(other, "w").isInheritedCopy()).isFalse();
        assertThat(copy.without(other).isInheritedCopy()).isFalse();
        assertThat(copy.without(key).isInheritedCopy()).isFalse();
        Frame plain = Frame.EMPTY.with(key, "v");
        assertThat(plain.with(key, "v")).isSameAs(plain);
    }

    @Test
    void aWaitReleasesTheInheritedContextOnce() {
        ThreadState.enter(Frame.EMPTY.with(key, "starter"));
        ThreadState.inherit();
        assertThat(ThreadState.lookup(key)).isEqualTo("starter");
        assertThat(ThreadState.frame().isInheritedCopy()).isTrue();
        assertThat(ThreadState.releaseInherited()).isTrue();
        assertThat(ThreadState.isEmpty()).isTrue();
        assertThat(ThreadState.releaseInherited()).isFalse();
    }

    @Test
    void aContextTheThreadSetItselfIsNotReleased() {
        ThreadState.enter(Frame.EMPTY.with(key, "starter"));
        ThreadState.inherit();
        Frame inherited = ThreadState.frame();
        ThreadState.enter(ThreadState.frame().with(key, "starter"));
        assertThat(ThreadState.releaseInherited()).isFalse();
        assertThat(ThreadState.lookup(key)).isEqualTo("starter");
        ThreadState.exit(inherited);
        assertThat(ThreadState.isInheritedHere(inherited)).isTrue();
        assertThat(ThreadState.releaseInherited()).isTrue();
    }

    @Test
    void anInheritedCopyHandedToAnotherThreadIsNotThatThreadsToRelease() throws Exception {
        ThreadState.enter(Frame.EMPTY.with(key, "starter"));
        ThreadState.inherit();
        Frame copy = ThreadState.frame();
        boolean released = CompletableFuture.supplyAsync(() -> {
            ThreadState.enter(copy);
            try {
                return ThreadState.releaseInherited() || !ThreadState.isInheritedHere(copy) && ThreadState.isEmpty();
            } finally {
                ThreadState.exit(Frame.EMPTY);
            }
        }).get(10, TimeUnit.SECONDS);
        assertThat(released).isFalse();
    }

    @Test
    void nothingIsInheritedInTheEmptyContextAndForgettingEndsTheInheritance() {
        ThreadState.inherit();
        assertThat(ThreadState.isEmpty()).isTrue();
        ThreadState.enter(Frame.EMPTY.with(key, "starter"));
        ThreadState.inherit();
        ThreadState.forgetInherited();
        assertThat(ThreadState.releaseInherited()).isFalse();
        assertThat(ThreadState.lookup(key)).isEqualTo("starter");
    }
}
