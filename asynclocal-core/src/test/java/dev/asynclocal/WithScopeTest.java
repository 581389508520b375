package dev.asynclocal;

import static dev.asynclocal.TestSupport.onNewThread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.internal.diagnostics.StrictMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link AsyncLocalStorage#withScope} and its {@link AsyncLocalStorage.Scope}.
 *
 * <p>{@code -Xlint:try} warns about a try-with-resources variable the body never names, which is
 * how a scope is meant to be used; the warning is suppressed for this class.
 */
@SuppressWarnings("try")
class WithScopeTest {

    @Test
    void storeIsCurrentInsideTheScopeAndPreviousAfterClose() {
        // node: test/parallel/test-async-local-storage-run-scope.js ("basic RunScope with using")
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        try (AsyncLocalStorage.Scope ignored = als.withScope("test")) {
            assertThat(als.getStore()).isEqualTo("test");
        }
        assertThat(als.getStore()).isNull();
    }

    @Test
    void restoresAValueSetByEnterWith() throws Exception {
        // node: test/parallel/test-async-local-storage-run-scope.js ("restores previous value")
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        List<String> seen = onNewThread(() -> {
            List<String> s = new ArrayList<>();
            als.enterWith("initial");
            try (AsyncLocalStorage.Scope ignored = als.withScope("scoped")) {
                s.add(als.getStore());
            }
            s.add(als.getStore());
            return s;
        });
        assertThat(seen).containsExactly("scoped", "initial");
    }

    @Test
    void nestedTryWithResourcesUnwindInOrder() {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        AsyncLocalStorage<String> other = new AsyncLocalStorage<>();
        List<String> seen = new ArrayList<>();
        try (AsyncLocalStorage.Scope outer = als.withScope("outer")) {
            seen.add(als.getStore());
            try (AsyncLocalStorage.Scope inner = als.withScope("inner");
                 AsyncLocalStorage.Scope o = other.withScope("o")) {
                seen.add(als.getStore() + "/" + other.getStore());
            }
            seen.add(als.getStore() + "/" + other.getStore());
        }
        seen.add(als.getStore());
        assertThat(seen).containsExactly("outer", "inner/o", "outer/null", null);
    }

    @Test
    void closeRestoresTheWholeContextIncludingOtherInstances() {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        AsyncLocalStorage<String> other = new AsyncLocalStorage<>();
        als.run("r", () -> {
            AsyncLocalStorage.Scope scope = als.withScope("s");
            other.enterWith("entered inside the scope");
            scope.close();
            assertThat(als.getStore()).isEqualTo("r");
            assertThat(other.getStore()).isNull();
        });
    }

    @Test
    void closeRestoresEvenWhenTheBodyThrows() {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        assertThatThrownBy(() -> {
            try (AsyncLocalStorage.Scope ignored = als.withScope("s")) {
                throw new IllegalStateException("boom");
            }
        }).hasMessage("boom");
        assertThat(als.getStore()).isNull();
    }

    @Test
    void closeIsIdempotent() {
        // node: test/parallel/test-async-local-storage-run-scope.js (dispose twice is a no-op)
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        als.run("outer", () -> {
            AsyncLocalStorage.Scope scope = als.withScope("s");
            scope.close();
            assertThat(als.getStore()).isEqualTo("outer");
            // A second close must not restore again: here it would undo this later enterWith.
            als.enterWith("later");
            scope.close();
            assertThat(als.getStore()).isEqualTo("later");
        });
    }

    @Test
    void closeOnAnotherThreadThrowsAndChangesNoContext() throws Exception {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        als.run("outer", () -> {
            AsyncLocalStorage.Scope scope = als.withScope("scoped");
            AtomicReference<String> otherBefore = new AtomicReference<>();
            AtomicReference<String> otherAfter = new AtomicReference<>();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            try {
                onNewThread(() -> als.run("other", () -> {
                    otherBefore.set(als.getStore());
                    try {
                        scope.close();
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                    otherAfter.set(als.getStore());
                }));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
            assertThat(otherBefore.get()).isEqualTo("other");
            assertThat(otherAfter.get()).isEqualTo("other");
            // the opening thread is still in the scope, and can still close it
            assertThat(als.getStore()).isEqualTo("scoped");
            scope.close();
            assertThat(als.getStore()).isEqualTo("outer");
        });
    }

    @Test
    void asyncWorkCreatedInsideTheScopeKeepsTheStoreAfterClose() {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        Runnable bound;
        AtomicReference<String> seen = new AtomicReference<>();
        try (AsyncLocalStorage.Scope ignored = als.withScope("s")) {
            bound = AsyncLocalStorage.bind(() -> {
                seen.set(als.getStore());
            });
        }
        bound.run();
        assertThat(seen.get()).isEqualTo("s");
    }

    @Test
    void nullStoreIsLegal() {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
        try (AsyncLocalStorage.Scope ignored = als.withScope(null)) {
            assertThat(als.getStore()).isNull();
        }
        assertThat(als.getStore()).isEqualTo("D");
    }
}
