package dev.asynclocal;

import static dev.asynclocal.TestSupport.onNewThread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.internal.diagnostics.StrictMode;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Strict mode ({@code -Dasynclocal.strict=true}), which the build turns on for every test JVM:
 * out-of-order and wrong-thread closes of {@code withScope} scopes fail loudly, naming the sites.
 * Scopes are opened in small named methods so that each site is recognisable in a message.
 */
@SuppressWarnings("try")
class StrictModeTest {
    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>("strict");
    private final AsyncLocalStorage<String> other = new AsyncLocalStorage<>("other");

    private AsyncLocalStorage.Scope openOuter() {
        return als.withScope("outer");
    }

    private AsyncLocalStorage.Scope openInner() {
        return other.withScope("inner");
    }

    @Test
    void theBuildRunsTestsWithStrictModeOn() {
        assertThat(StrictMode.ENABLED)
                .as("the parent pom sets -D%s=true for surefire and failsafe", StrictMode.PROPERTY)
                .isTrue();
    }

    @Test
    void outOfOrderCloseThrowsNamingTheInnerOpenSiteAndTheCloseSiteAndChangesNothing() throws Exception {
        onNewThread(() -> {
            AsyncLocalStorage.Scope outer = openOuter();
            AsyncLocalStorage.Scope inner = openInner();
            assertThat(StrictMode.openOnThisThread()).isEqualTo(2);

            IllegalStateException thrown = null;
            try {
                outer.close();
            } catch (IllegalStateException e) {
                thrown = e;
            }
            assertThat(thrown).isNotNull();
            String message = thrown.getMessage();
            // Printed so that docs/reliability.md can quote a real message.
            System.out.println("strict mode message: " + message);
            assertThat(message)
                    .contains("closed out of order")
                    .contains("the scope opened at dev.asynclocal.StrictModeTest.openInner(StrictModeTest.java:")
                    .contains("opened at dev.asynclocal.StrictModeTest.openOuter(StrictModeTest.java:")
                    .contains("closed at dev.asynclocal.StrictModeTest.lambda$");
            assertThat(thrown.getCause().getStackTrace()[0].getMethodName()).isEqualTo("openOuter");

            // nothing was restored or forgotten: the inner scope is still in force and closable
            assertThat(als.getStore()).isEqualTo("outer");
            assertThat(other.getStore()).isEqualTo("inner");
            assertThat(StrictMode.openOnThisThread()).isEqualTo(2);
            inner.close();
            outer.close();
            assertThat(als.getStore()).isNull();
            assertThat(other.getStore()).isNull();
            assertThat(StrictMode.openOnThisThread()).isZero();
        });
    }

    @Test
    void closeOnAnotherThreadNamesTheOpenSiteAndTheClosingThread() throws Exception {
        AsyncLocalStorage.Scope scope = openOuter();
        try {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread closer = new Thread(() -> {
                try {
                    scope.close();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, "strict-closer");
            closer.start();
            closer.join();
            assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
            assertThat(thrown.get().getMessage())
                    .contains("not on strict-closer")
                    .contains("Scope opened at dev.asynclocal.StrictModeTest.openOuter(StrictModeTest.java:")
                    .contains("closed at dev.asynclocal.StrictModeTest.lambda$");
            assertThat(als.getStore()).isEqualTo("outer");
        } finally {
            scope.close();
        }
        assertThat(als.getStore()).isNull();
        assertThat(StrictMode.openOnThisThread()).isZero();
    }

    @Test
    void nestedScopesClosedInOrderPassAndLeaveNothingRecorded() {
        try (AsyncLocalStorage.Scope a = openOuter()) {
            try (AsyncLocalStorage.Scope b = openInner(); AsyncLocalStorage.Scope c = als.withScope("c")) {
                assertThat(StrictMode.openOnThisThread()).isEqualTo(3);
                assertThat(als.getStore() + "/" + other.getStore()).isEqualTo("c/inner");
            }
            assertThat(StrictMode.openOnThisThread()).isEqualTo(1);
        }
        assertThat(StrictMode.openOnThisThread()).isZero();
        assertThat(als.getStore()).isNull();
    }

    @Test
    void aSecondCloseIsStillANoOp() {
        AsyncLocalStorage.Scope outer = openOuter();
        AsyncLocalStorage.Scope inner = openInner();
        inner.close();
        inner.close(); // already closed: not an out-of-order close of anything
        outer.close();
        outer.close();
        assertThat(StrictMode.openOnThisThread()).isZero();
        assertThat(als.getStore()).isNull();
    }

    @Test
    void aScopeLeftOpenInsideARunIsNamedWhenTheEnclosingScopeCloses() throws Exception {
        onNewThread(() -> {
            AsyncLocalStorage.Scope outer = openOuter();
            als.run("r", () -> {
                openInner(); // never closed; run() restores the frame but the scope stays open
            });
            assertThatThrownBy(outer::close)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("StrictModeTest.openInner(");
        });
    }

    @Test
    void enterWithIsNotRecordedAndNeedsNoClose() {
        als.run("r", () -> {
            try (AsyncLocalStorage.Scope ignored = openOuter()) {
                other.enterWith("entered inside the scope");
                assertThat(StrictMode.openOnThisThread()).isEqualTo(1);
            }
            assertThat(other.getStore()).isNull();
        });
        assertThat(StrictMode.openOnThisThread()).isZero();
    }
}
