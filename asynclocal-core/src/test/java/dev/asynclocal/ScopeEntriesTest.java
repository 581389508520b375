package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.ThreadState;
import dev.asynclocal.internal.diagnostics.ScopeEntries;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The enterWith/withScope listener the JUnit extension relies on. */
class ScopeEntriesTest {
    private final AsyncLocalStorage<String> storage = new AsyncLocalStorage<>("s");

    @AfterEach
    void uninstall() {
        ScopeEntries.install(null);
    }

    @Test
    void enterWithAndWithScopeAreReportedWithTheFrameTheyInstalled() throws Exception {
        List<Object[]> seen = new CopyOnWriteArrayList<>();
        ScopeEntries.install((s, store, state, previous, installed, scope) -> seen.add(new Object[] {s, store, state, installed, scope, previous}));
        TestSupport.onNewThread(() -> {
            storage.enterWith("a");
            Frame afterEnter = ThreadState.frame();
            try (AsyncLocalStorage.Scope ignored = storage.withScope("b")) {
                assertThat(seen).hasSize(2);
                assertThat(seen.get(1)[3]).isSameAs(ThreadState.frame());
            }
            assertThat(seen.get(0)[3]).isSameAs(afterEnter);
            assertThat(seen.get(0)[5]).isSameAs(Frame.EMPTY);
            assertThat(seen.get(1)[5]).isSameAs(afterEnter);
            assertThat(seen.get(0)[2]).isSameAs(ThreadState.state());
            assertThat(ThreadState.frameSeenFromAnotherThread(ThreadState.state())).isSameAs(afterEnter);
        });
        assertThat(seen).extracting(e -> e[0]).containsExactly(storage, storage);
        assertThat(seen).extracting(e -> e[1]).containsExactly("a", "b");
        assertThat(seen).extracting(e -> e[4]).containsExactly(false, true);
    }

    @Test
    void runAndOtherRestoringCallsAreNotReported() {
        List<Object> seen = new CopyOnWriteArrayList<>();
        ScopeEntries.install((s, store, state, previous, installed, scope) -> seen.add(store));
        storage.run("x", () -> storage.exit(() -> AsyncLocalStorage.snapshot().run(() -> { })));
        assertThat(seen).isEmpty();
    }

    @Test
    void aThrowingListenerDoesNotBreakEnterWith() throws Exception {
        ScopeEntries.install((s, store, state, previous, installed, scope) -> {
            throw new IllegalStateException("listener bug");
        });
        TestSupport.onNewThread(() -> {
            storage.enterWith("still set");
            assertThat(storage.getStore()).isEqualTo("still set");
        });
    }

    @Test
    void frameCarriesEveryEntryOfAnother() {
        AsyncLocalStorage<String> other = new AsyncLocalStorage<>("o");
        Frame one = storage.run("1", ThreadState::frame);
        Frame both = storage.run("1", () -> other.run("2", ThreadState::frame));
        Frame changed = storage.run("changed", () -> other.run("2", ThreadState::frame));
        assertThat(both.carries(one)).isTrue();
        assertThat(one.carries(both)).isFalse();
        assertThat(changed.carries(one)).isFalse();
        assertThat(one.carries(Frame.EMPTY)).isTrue();
        assertThat(Frame.EMPTY.carries(one)).isFalse();
    }

    @Test
    void carriesWorksForLargeFramesToo() throws Exception {
        List<AsyncLocalStorage<Integer>> many = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new AsyncLocalStorage<>("n" + i));
        }
        Frame[] frames = new Frame[2];
        TestSupport.onNewThread(() -> {
            for (int i = 0; i < many.size(); i++) {
                many.get(i).enterWith(i);
            }
            frames[0] = ThreadState.frame();
            many.get(17).enterWith(-1);
            frames[1] = ThreadState.frame();
        });
        assertThat(frames[0].size()).isEqualTo(40);
        assertThat(frames[0].carries(frames[0])).isTrue();
        assertThat(frames[1].carries(frames[0])).isFalse();
        int[] visited = {0};
        assertThat(frames[0].forEachEntry((key, store) -> ++visited[0] < 10)).isFalse();
        assertThat(visited[0]).isEqualTo(10);
    }
}
