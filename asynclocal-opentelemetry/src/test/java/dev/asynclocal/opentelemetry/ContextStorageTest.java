package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.internal.StrictMode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.context.SettableContextStorageProvider;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The storage itself: where OpenTelemetry's current context lives and how scopes restore it.
 * These tests run with OpenTelemetry's strict mode on (see the pom), behind opentelemetry-sdk-testing's
 * SettableContextStorageProvider, which delegates to the provider ServiceLoader finds: ours.
 */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
class ContextStorageTest {
    private static final ContextKey<String> KEY = ContextKey.named("k");
    private static final AsyncLocalStorage<String> OTHER = new AsyncLocalStorage<>("other");
    private static final ContextStorage STORAGE = new AsyncLocalContextStorageProvider().get();
    private static final ExecutorService PLAIN = Executors.newSingleThreadExecutor();

    @AfterAll
    static void stop() {
        PLAIN.shutdownNow();
    }

    @Test
    void openTelemetrySelectedThisProvider() {
        assertThat(AsyncLocalContextStorageProvider.isActive()).isTrue();
        // sdk-testing's provider wins the ServiceLoader race and delegates by the same rules: to ours
        assertThat(SettableContextStorageProvider.getContextStorage()).isSameAs(STORAGE);
        // and strict mode wraps the lot, so a leaked or mis-nested scope in any test fails loudly
        assertThat(Boolean.getBoolean("io.opentelemetry.context.enableStrictContext")).isTrue();
        assertThat(ContextStorage.get().getClass().getSimpleName()).isEqualTo("StrictContextStorage");
    }

    @Test
    void currentIsRootOutsideAnyScopeAndTheAttachedContextInside() {
        assertThat(Context.current()).isSameAs(Context.root());
        Context context = Context.root().with(KEY, "v");
        try (Scope ignored = context.makeCurrent()) {
            assertThat(Context.current()).isSameAs(context);
            assertThat(AsyncLocalContextStorage.CONTEXT.getStore()).isSameAs(context);
        }
        assertThat(Context.current()).isSameAs(Context.root());
        assertThat(AsyncLocalContextStorage.CONTEXT.getStore()).isNull();
    }

    @Test
    void nestedScopesRestoreTheOuterContext() {
        Context outer = Context.root().with(KEY, "outer");
        Context inner = outer.with(KEY, "inner");
        try (Scope o = outer.makeCurrent()) {
            try (Scope i = inner.makeCurrent()) {
                assertThat(Context.current().get(KEY)).isEqualTo("inner");
            }
            assertThat(Context.current()).isSameAs(outer);
            // attaching the current context again still gives a scope that closes cleanly
            try (Scope same = outer.makeCurrent()) {
                assertThat(Context.current()).isSameAs(outer);
            }
            assertThat(Context.current()).isSameAs(outer);
        }
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    void closingAScopeEndsAnEnterWithMadeInside() {
        try (Scope ignored = Context.root().with(KEY, "v").makeCurrent()) {
            OTHER.enterWith("set inside");
            assertThat(OTHER.getStore()).isEqualTo("set inside");
        }
        assertThat(OTHER.getStore()).isNull();
    }

    @Test
    void anAsyncLocalRunAroundAnOpenScopeRestoresTheContextToo() {
        Context context = Context.root().with(KEY, "v");
        OTHER.run("x", () -> {
            // not closed inside run (a bug), yet the thread gets its context back with run's end
            Scope leaked = STORAGE.attach(context);
            assertThat(STORAGE.current()).isSameAs(context);
            assertThat(leaked).isNotNull();
        });
        assertThat(STORAGE.current()).isSameAs(Context.root());
    }

    @Test
    void attachingNullIsANoOp() {
        Scope scope = STORAGE.attach(null);
        assertThat(scope).isSameAs(Scope.noop());
        assertThat(STORAGE.current()).isSameAs(Context.root());
    }

    @Test
    void closeIsIdempotent() {
        Context outer = Context.root().with(KEY, "outer");
        try (Scope o = STORAGE.attach(outer)) {
            Scope inner = STORAGE.attach(outer.with(KEY, "inner"));
            inner.close();
            inner.close();
            assertThat(STORAGE.current()).isSameAs(outer);
        }
    }

    @Test
    void scopesClosedOutOfOrderLeaveNoContextBehindAndAreLogged() {
        // Without asynclocal's strict mode, which the build turns on (see the next test).
        StrictMode.lenient(this::closeOutOfOrder);
    }

    private void closeOutOfOrder() {
        try (LogCapture log = new LogCapture()) {
            Context a = Context.root().with(KEY, "a");
            Context b = a.with(KEY, "b");
            Scope first = STORAGE.attach(a);
            Scope second = STORAGE.attach(b);
            first.close();
            assertThat(STORAGE.current()).isSameAs(Context.root());
            second.close();
            // like OpenTelemetry's own storage, the last close wins: the context before `second`
            assertThat(STORAGE.current()).isSameAs(a);
            assertThat(log.debugMessages()).anySatisfy(m -> assertThat(m).contains("out of order"));
            // the test thread must not keep `a`
            STORAGE.attach(Context.root());
        }
        AsyncLocalContextStorage.CONTEXT.enterWith(null);
    }

    /**
     * In asynclocal's strict mode an out-of-order close is refused by the core: the adapter, which
     * never throws into OpenTelemetry's callers, logs the refusal (naming where the inner scope was
     * opened) and changes nothing, so closing in the right order afterwards still works.
     */
    @Test
    void inStrictModeAnOutOfOrderCloseIsRefusedLoggedAndChangesNothing() {
        assertThat(StrictMode.ENABLED).as("the build runs tests with -Dasynclocal.strict=true").isTrue();
        try (LogCapture log = new LogCapture()) {
            Context a = Context.root().with(KEY, "a");
            Context b = a.with(KEY, "b");
            Scope first = STORAGE.attach(a);
            Scope second = STORAGE.attach(b);
            first.close();
            assertThat(STORAGE.current()).isSameAs(b);
            assertThat(log.records()).anySatisfy(r -> assertThat(r.getMessage())
                    .contains("closed out of order").contains("ContextStorageTest"));
            second.close();
            assertThat(STORAGE.current()).isSameAs(a);
            first.close();
            assertThat(STORAGE.current()).isSameAs(Context.root());
        }
    }

    /**
     * A scope closed on another thread: restoring would write the opening thread's saved context
     * into the closing thread. It is refused without an exception and both threads keep their
     * contexts; the first time is a warning.
     */
    @Test
    void aScopeClosedOnAnotherThreadIsIgnoredWithoutAnException() throws Exception {
        try (LogCapture log = new LogCapture()) {
            Context context = Context.root().with(KEY, "opened here");
            Scope scope = STORAGE.attach(context);
            try {
                CompletableFuture<Context> seenThere = CompletableFuture.supplyAsync(() -> {
                    scope.close();
                    return STORAGE.current();
                }, PLAIN);
                assertThat(seenThere.get(10, TimeUnit.SECONDS)).isSameAs(Context.root());
                assertThat(STORAGE.current()).isSameAs(context);
            } finally {
                scope.close();   // on the right thread now: this one restores
            }
            assertThat(STORAGE.current()).isSameAs(Context.root());
            assertThat(log.records()).anySatisfy(r -> {
                assertThat(r.getLevel()).isIn(Level.WARNING, Level.FINE);
                assertThat(r.getMessage()).contains("not on the thread that opened it");
            });
        }
    }

    @Test
    void aThreadThatRunsOutsideAnyPropagatedContextSeesRoot() throws Exception {
        try (Scope ignored = Context.root().with(KEY, "not for plain threads").makeCurrent()) {
            Context seen = CompletableFuture.supplyAsync(Context::current, PLAIN).get(10, TimeUnit.SECONDS);
            assertThat(seen).isSameAs(Context.root());
        }
    }
}
