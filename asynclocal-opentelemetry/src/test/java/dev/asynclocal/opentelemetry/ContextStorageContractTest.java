package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenTelemetry's context contract, written once and run four times by the pom: against
 * OpenTelemetry's own thread-local storage and against asynclocal's, each with and without
 * OpenTelemetry's strict mode ({@code -Dio.opentelemetry.context.enableStrictContext=true}). The
 * expectations are the same in every run, so a difference between the two storages (today, or
 * after an upgrade of OpenTelemetry) fails one run and not the other. Which storage a run uses is
 * checked first, from the system property {@code contract.storage} the pom sets.
 */
@SuppressWarnings("try")
class ContextStorageContractTest {
    private static final ContextKey<String> ANIMAL = ContextKey.named("animal");
    private static final Context CAT = Context.root().with(ANIMAL, "cat");
    private static final Context DOG = Context.root().with(ANIMAL, "dog");
    private static final Context FOX = Context.root().with(ANIMAL, "fox");
    private static final boolean STRICT = Boolean.getBoolean("io.opentelemetry.context.enableStrictContext");

    private static ExecutorService pool;
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger openTelemetryLogger = Logger.getLogger("io.opentelemetry.context.ThreadLocalContextStorage");
    private Level levelBefore;

    @BeforeAll
    static void startPool() {
        pool = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @BeforeEach
    void captureLog() {
        levelBefore = openTelemetryLogger.getLevel();
        openTelemetryLogger.setLevel(Level.FINE);
        openTelemetryLogger.addHandler(capture);
        assertThat(Context.current()).as("each test starts at the root").isSameAs(Context.root());
    }

    @AfterEach
    void releaseLog() {
        openTelemetryLogger.removeHandler(capture);
        openTelemetryLogger.setLevel(levelBefore);
    }

    private boolean loggedIgnoredClose() {
        return logged.stream().anyMatch(r -> r.getLevel() == Level.FINE
                && r.getMessage().contains("Trying to close scope which does not represent current context"));
    }

    @Test
    void theRunUsesTheStorageItIsMeantFor() {
        String expected = System.getProperty("contract.storage");
        assertThat(expected).as("system property contract.storage").isIn("default", "asynclocal");
        assertThat(AsyncLocalContextStorageProvider.isActive()).isEqualTo(expected.equals("asynclocal"));
        assertThat(ContextStorage.get().getClass().getSimpleName())
                .isEqualTo(STRICT ? "StrictContextStorage" : expected.equals("default")
                        ? "ThreadLocalContextStorage" : "AsyncLocalContextStorage");
    }

    @Test
    void nothingAttachedReadsAsNullFromTheStorageAndRootFromContext() {
        assertThat(ContextStorage.get().current()).isNull();
        assertThat(Context.current()).isSameAs(Context.root());
        assertThat(ContextStorage.get().root()).isSameAs(Context.root());
    }

    @Test
    void attachingNullOrTheCurrentContextIsTheNoopScope() {
        // Strict mode wraps every scope, the no-op one included, to track it: the storage's own
        // answer is checked on the storage behind it.
        ContextStorage storage = STRICT ? storageBehindStrictMode() : ContextStorage.get();
        assertThat(storage.attach(null)).isSameAs(Scope.noop());
        try (Scope cat = CAT.makeCurrent()) {
            assertThat(storage.attach(CAT)).isSameAs(Scope.noop());
            Scope again = CAT.makeCurrent();
            again.close();
            assertThat(Context.current()).isSameAs(CAT);
        }
        assertThat(Context.current()).isSameAs(Context.root());
        Scope root = storage.attach(Context.root());
        assertThat(root).as("root attached over nothing").isNotSameAs(Scope.noop());
        root.close();
        assertThat(storage.current()).isNull();
    }

    private static ContextStorage storageBehindStrictMode() {
        return System.getProperty("contract.storage").equals("default")
                ? ContextStorage.defaultStorage() : new AsyncLocalContextStorageProvider().get();
    }

    @Test
    void scopesClosedInOrderRestoreEachOuterContext() {
        try (Scope cat = CAT.makeCurrent()) {
            try (Scope dog = DOG.makeCurrent()) {
                assertThat(Context.current()).isSameAs(DOG);
            }
            assertThat(Context.current()).isSameAs(CAT);
        }
        assertThat(ContextStorage.get().current()).isNull();
    }

    @Test
    void aScopeClosedOutOfOrderIsIgnoredAndLoggedThenClosesWhenItsContextIsCurrentAgain() {
        Scope cat = CAT.makeCurrent();
        Scope dog = DOG.makeCurrent();
        cat.close();                                   // out of order: DOG is current
        assertThat(Context.current()).isSameAs(DOG);
        assertThat(loggedIgnoredClose()).isTrue();
        dog.close();
        assertThat(Context.current()).isSameAs(CAT);
        cat.close();                                   // now in order: it was never closed
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    void aSecondCloseIsIgnoredAndLogged() {
        Scope cat = CAT.makeCurrent();
        cat.close();
        logged.clear();
        try (Scope dog = DOG.makeCurrent()) {
            cat.close();
            assertThat(Context.current()).isSameAs(DOG);
            assertThat(loggedIgnoredClose()).isTrue();
        }
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    void aScopeClosedOnAnotherThreadChangesNeitherThread() throws Exception {
        Scope cat = CAT.makeCurrent();
        try {
            String outcome = CompletableFuture.supplyAsync(() -> {
                String thrown = "no exception";
                try {
                    cat.close();
                } catch (IllegalStateException e) {
                    thrown = "IllegalStateException";
                }
                return thrown + ", " + (Context.current() == Context.root() ? "root" : Context.current());
            }, pool).get(10, TimeUnit.SECONDS);
            // Strict mode's wrapper throws before the storage is asked; without it, the storage ignores it.
            assertThat(outcome).isEqualTo(STRICT ? "IllegalStateException, root" : "no exception, root");
            assertThat(Context.current()).isSameAs(CAT);
        } finally {
            cat.close();
        }
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    void wrappedRunnablesCallablesAndExecutorsRunInTheirContextAndLeaveNothing() throws Exception {
        Runnable runnable;
        Callable<Context> callable;
        Executor executor;
        ExecutorService service;
        Executor tasks;
        try (Scope fox = FOX.makeCurrent()) {
            runnable = Context.current().wrap((Runnable) () -> assertThat(Context.current()).isSameAs(FOX));
            callable = Context.current().wrap((Callable<Context>) Context::current);
            executor = Context.current().wrap((Executor) pool);
            service = Context.current().wrap(pool);
            tasks = Context.taskWrapping((Executor) pool);
        }
        pool.submit(runnable).get(10, TimeUnit.SECONDS);
        assertThat(pool.submit(callable).get(10, TimeUnit.SECONDS)).isSameAs(FOX);
        CompletableFuture<Context> viaExecutor = new CompletableFuture<>();
        executor.execute(() -> viaExecutor.complete(Context.current()));
        assertThat(viaExecutor.get(10, TimeUnit.SECONDS)).isSameAs(FOX);
        assertThat(service.submit(Context::current).get(10, TimeUnit.SECONDS)).isSameAs(FOX);
        CompletableFuture<Context> viaTaskWrapping = new CompletableFuture<>();
        try (Scope dog = DOG.makeCurrent()) {
            tasks.execute(() -> viaTaskWrapping.complete(Context.current()));
        }
        assertThat(viaTaskWrapping.get(10, TimeUnit.SECONDS)).isSameAs(DOG);
        assertThat(pool.submit(Context::current).get(10, TimeUnit.SECONDS))
                .as("the pool thread keeps nothing").isSameAs(Context.root());
        runnable.run();
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    void valuesFollowTheContextNotTheThread() {
        Context withDog = CAT.with(ANIMAL, "dog");
        try (Scope ignored = withDog.makeCurrent()) {
            assertThat(Context.current().get(ANIMAL)).isEqualTo("dog");
            assertThat(CAT.get(ANIMAL)).isEqualTo("cat");
        }
        assertThat(Context.current().get(ANIMAL)).isNull();
    }
}
