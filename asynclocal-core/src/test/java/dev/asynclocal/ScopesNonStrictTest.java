package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.internal.diagnostics.StrictMode;
import org.junit.jupiter.api.Test;

/** Scopes as they behave in production, where strict mode is off (the "non-strict" execution). */
class ScopesNonStrictTest {
    @Test
    void outerCloseOfOutOfOrderScopesRestoresTheOuterSavedContext() {
        // close() restores the frame saved at open, whatever happened since: closing the outer
        // scope first discards the inner one, and the inner close then restores "outer".
        // Strict mode refuses this close (StrictModeTest); this class runs without it.
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        assertThat(StrictMode.ENABLED).isFalse();
        als.run("base", () -> {
            AsyncLocalStorage.Scope outer = als.withScope("outer");
            AsyncLocalStorage.Scope inner = als.withScope("inner");
            outer.close();
            assertThat(als.getStore()).isEqualTo("base");
            inner.close();
            assertThat(als.getStore()).isEqualTo("outer");
        });
    }
}
