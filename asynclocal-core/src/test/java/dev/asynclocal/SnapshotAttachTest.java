package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Snapshot#attach()} and {@link Snapshot#empty()}: a whole context switched in and out by two calls. */
class SnapshotAttachTest {
    static final AsyncLocalStorage<String> A = new AsyncLocalStorage<>("a");
    static final AsyncLocalStorage<String> B = new AsyncLocalStorage<>("b", "default-b");
    static final CallableOp<Snapshot, RuntimeException> SNAPSHOT = AsyncLocalStorage::snapshot;

    @Test
    void attachInstallsTheWholeCapturedContextAndCloseRestoresTheCallers() {
        Snapshot captured = A.run("a1", (CallableOp<Snapshot, RuntimeException>) () -> B.run("b1", SNAPSHOT));
        A.run("caller", () -> {
            AsyncLocalStorage.Scope scope = captured.attach();
            assertThat(A.getStore()).isEqualTo("a1");
            assertThat(B.getStore()).isEqualTo("b1");
            A.enterWith("changed inside");
            scope.close();
            assertThat(A.getStore()).isEqualTo("caller");
            assertThat(B.getStore()).isEqualTo("default-b");
            scope.close(); // a second close does nothing
            assertThat(A.getStore()).isEqualTo("caller");
        });
    }

    @Test
    void theEmptySnapshotHidesEveryStore() {
        A.run("x", () -> B.run("y", () -> {
            Snapshot.empty().run(() -> {
                assertThat(A.getStore()).isNull();
                assertThat(B.getStore()).isEqualTo("default-b");
            });
            try (AsyncLocalStorage.Scope ignored = Snapshot.empty().attach()) {
                assertThat(A.getStore()).isNull();
            }
            assertThat(A.getStore()).isEqualTo("x");
        }));
        assertThat(Snapshot.empty()).isSameAs(Snapshot.empty());
    }

    @Test
    void aScopeClosedOnAnotherThreadIsRefusedAndChangesNothing() throws Exception {
        Snapshot captured = A.run("a2", SNAPSHOT);
        AsyncLocalStorage.Scope scope = captured.attach();
        try {
            Throwable thrown = CompletableFuture.supplyAsync(() -> {
                try {
                    scope.close();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(thrown).isInstanceOf(IllegalStateException.class);
            assertThat(A.getStore()).isEqualTo("a2");
        } finally {
            scope.close();
        }
        assertThat(A.getStore()).isNull();
    }

    @Test
    void inStrictModeScopesMustCloseInnermostFirst() {
        assertThat(dev.asynclocal.internal.diagnostics.StrictMode.ENABLED).isTrue();
        AsyncLocalStorage.Scope outer = A.run("o", SNAPSHOT).attach();
        AsyncLocalStorage.Scope inner = A.withScope("i");
        assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class);
        inner.close();
        outer.close();
        assertThat(A.getStore()).isNull();
    }
}
