package dev.asynclocal.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The accessor under Micrometer's own {@link ContextSnapshot}, on a private registry: values
 * captured in one context and set on another thread, and what the thread has after the scope.
 * {@code AsyncLocalStorage.snapshot().toString()} shows the number of entries in the current
 * context, which tells whether a scope left one behind.
 */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
class AccessorContractTest {
    private static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
    private static final AsyncLocalStorage<String> TENANT = new AsyncLocalStorage<>("tenant", "no-tenant");
    private static final AsyncLocalStorage<String> OTHER = new AsyncLocalStorage<>("other");
    private static final ContextRegistry REGISTRY = new ContextRegistry();
    private static final AsyncLocalThreadLocalAccessor<String> USER_ACCESSOR =
            AsyncLocalThreadLocalAccessor.register(REGISTRY, "user", USER);
    private static final AsyncLocalThreadLocalAccessor<String> TENANT_ACCESSOR =
            AsyncLocalThreadLocalAccessor.register(REGISTRY, "tenant", TENANT);
    private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().contextRegistry(REGISTRY).build();
    private static final ContextSnapshotFactory CLEARING =
            ContextSnapshotFactory.builder().contextRegistry(REGISTRY).clearMissing(true).build();
    private static final ExecutorService PLAIN = Executors.newSingleThreadExecutor();

    @AfterAll
    static void stop() {
        PLAIN.shutdownNow();
    }

    /** {@code storage.run(value, fn)} for a returning {@code fn}, without overload ambiguity. */
    static <T, R> R in(AsyncLocalStorage<T> storage, T value, Supplier<R> fn) {
        return storage.<R, RuntimeException>run(value, fn::get);
    }

    private static String entries() {
        return AsyncLocalStorage.snapshot().toString();
    }

    @Test
    void aCapturedValueIsSetOnAnotherThreadAndTheThreadIsCleanAfterwards() throws Exception {
        ContextSnapshot snapshot = in(USER, "alice", () -> in(TENANT, "acme", () -> SNAPSHOTS.captureAll()));
        String seen = PLAIN.submit(() -> {
            String before = entries();
            String inside;
            try (ContextSnapshot.Scope ignored = snapshot.setThreadLocals()) {
                inside = USER.getStore() + "/" + TENANT.getStore();
            }
            return before + " " + inside + " " + USER.getStore() + "/" + TENANT.getStore() + " " + entries();
        }).get(10, TimeUnit.SECONDS);
        assertThat(seen).isEqualTo("Snapshot[0 stores] alice/acme null/no-tenant Snapshot[0 stores]");
    }

    @Test
    void wrapAndContextExecutorServiceCarryTheStores() throws Exception {
        String[] seen = new String[1];
        Runnable task = () -> seen[0] = USER.getStore();
        Runnable wrapped = in(USER, "bob", () -> SNAPSHOTS.captureAll().wrap(task));
        PLAIN.submit(wrapped).get(10, TimeUnit.SECONDS);
        assertThat(seen[0]).isEqualTo("bob");

        ExecutorService propagating = ContextExecutorService.wrap(Executors.newSingleThreadExecutor(), SNAPSHOTS::captureAll);
        try {
            String viaMicrometer = in(USER, "carol", () -> propagating.submit(USER::getStore)).get(10, TimeUnit.SECONDS);
            assertThat(viaMicrometer).isEqualTo("carol");
            assertThat(propagating.submit(USER::getStore).get(10, TimeUnit.SECONDS)).isNull();
        } finally {
            propagating.shutdownNow();
        }
    }

    @Test
    void nestedScopesOnOneThreadRestoreInTurn() {
        ContextSnapshot alice = in(USER, "alice", () -> SNAPSHOTS.captureAll());
        ContextSnapshot bob = in(USER, "bob", () -> SNAPSHOTS.captureAll());
        USER.run("outer", () -> {
            try (ContextSnapshot.Scope a = alice.setThreadLocals()) {
                assertThat(USER.getStore()).isEqualTo("alice");
                try (ContextSnapshot.Scope b = bob.setThreadLocals()) {
                    assertThat(USER.getStore()).isEqualTo("bob");
                }
                assertThat(USER.getStore()).isEqualTo("alice");
            }
            assertThat(USER.getStore()).isEqualTo("outer");
            assertThat(entries()).isEqualTo("Snapshot[1 stores]");
        });
    }

    @Test
    void getValueIsNullWhereThereIsNoStoreOrOnlyTheDefault() {
        assertThat(USER_ACCESSOR.getValue()).isNull();
        assertThat(TENANT_ACCESSOR.getValue()).isNull();
        assertThat(in(TENANT, "no-tenant", TENANT_ACCESSOR::getValue)).isNull();
        assertThat(in(TENANT, "acme", TENANT_ACCESSOR::getValue)).isEqualTo("acme");
        // so a snapshot taken where nothing is set carries nothing
        assertThat(SNAPSHOTS.captureAll().toString()).doesNotContain("user", "tenant");
        assertThat(USER_ACCESSOR.key()).isEqualTo("user");
        assertThat(USER_ACCESSOR.storage()).isSameAs(USER);
        assertThat(USER_ACCESSOR).hasToString("AsyncLocalThreadLocalAccessor[user -> AsyncLocalStorage[user]]");
    }

    @Test
    void clearMissingHidesAStoreForTheScopeOnly() throws Exception {
        ContextSnapshot empty = CLEARING.captureAll();
        String seen = in(USER, "held", () -> in(TENANT, "held-tenant", () -> {
            String inside;
            try (ContextSnapshot.Scope ignored = empty.setThreadLocals()) {
                inside = USER.getStore() + "/" + TENANT.getStore();
            }
            return inside + " " + USER.getStore() + "/" + TENANT.getStore() + " " + entries();
        }));
        assertThat(seen).isEqualTo("null/no-tenant held/held-tenant Snapshot[2 stores]");
    }

    @Test
    void anEnterWithInsideAMicrometerScopeEndsWithIt() {
        ContextSnapshot alice = in(USER, "alice", () -> SNAPSHOTS.captureAll());
        try (ContextSnapshot.Scope ignored = alice.setThreadLocals()) {
            OTHER.enterWith("inside");
        }
        assertThat(OTHER.getStore()).isNull();
        assertThat(entries()).isEqualTo("Snapshot[0 stores]");
    }

    /**
     * Two snapshots' scopes closed in the order they were opened, not the reverse: each close
     * still leaves the value Micrometer asks for, as a thread-local would, and the thread ends
     * with no value (a leftover entry holding "no value" is allowed).
     */
    @Test
    void scopesClosedOutOfOrderStillGiveThreadLocalValues() throws Exception {
        ContextSnapshot alice = in(USER, "alice", () -> SNAPSHOTS.captureAll());
        ContextSnapshot bob = in(USER, "bob", () -> SNAPSHOTS.captureAll());
        String seen = PLAIN.submit(() -> {
            ContextSnapshot.Scope first = alice.setThreadLocals();
            ContextSnapshot.Scope second = bob.setThreadLocals();
            first.close();              // a thread-local would now hold no value
            String afterFirst = String.valueOf(USER.getStore());
            second.close();             // ... and now "alice", which it held before `second`
            String afterSecond = USER.getStore();
            // the caller of these scopes is buggy; its next correct restore fixes the value
            USER_ACCESSOR.restore();
            return afterFirst + " " + afterSecond + " " + USER.getStore();
        }).get(10, TimeUnit.SECONDS);
        assertThat(seen).isEqualTo("null alice null");
    }

    /** The accessor's own calls, as a caller that is not Micrometer might make them. */
    @Test
    void setValueAndRestoreByHand() {
        USER_ACCESSOR.setValue("dan");
        assertThat(USER.getStore()).isEqualTo("dan");
        USER_ACCESSOR.restore();
        assertThat(USER.getStore()).isNull();
        assertThat(entries()).isEqualTo("Snapshot[0 stores]");

        TENANT_ACCESSOR.setValue();
        assertThat(TENANT.getStore()).isEqualTo("no-tenant");
        TENANT_ACCESSOR.restore();
        assertThat(entries()).isEqualTo("Snapshot[0 stores]");

        USER.run("erin", () -> {
            USER_ACCESSOR.setValue("fay");
            USER_ACCESSOR.restore("erin");
            assertThat(USER.getStore()).isEqualTo("erin");
            assertThat(entries()).isEqualTo("Snapshot[1 stores]");
        });
    }

    /**
     * A restore on a thread that never saw the setValue is a bug of its caller; writing the value
     * it asks for into that thread's context would be writing into another piece of work's
     * context, so it changes nothing (a {@code ThreadLocal} accessor would set that thread's value).
     */
    @Test
    void aRestoreOnAnotherThreadChangesNothing() throws Exception {
        ExecutorService wrapped = AsyncExecutors.wrap(PLAIN);
        USER_ACCESSOR.setValue("gus");
        try {
            // the task runs in this context (the open scope's record included), on another thread
            String there = wrapped.submit(() -> {
                USER_ACCESSOR.restore("hal");
                return USER.getStore();
            }).get(10, TimeUnit.SECONDS);
            assertThat(there).isEqualTo("gus");
            assertThat(USER.getStore()).isEqualTo("gus");
        } finally {
            USER_ACCESSOR.restore();
        }
        assertThat(USER.getStore()).isNull();
        assertThat(entries()).isEqualTo("Snapshot[0 stores]");
    }

    /**
     * A Micrometer scope closed late, after the asynclocal scope it was opened in ended (the
     * documented promise): the end of that scope already restored the context, and the close
     * writes nothing into whatever context is current now.
     */
    @Test
    void aScopeClosedAfterItsAsyncLocalScopeEndedHasNothingLeftToUndo() {
        ContextSnapshot snapshot = in(USER, "snapshot", () -> SNAPSHOTS.captureAll());
        ContextSnapshot.Scope[] leaked = new ContextSnapshot.Scope[1];
        String inside = in(USER, "outer", () -> {
            leaked[0] = snapshot.setThreadLocals();
            return USER.getStore();
        });
        assertThat(inside).isEqualTo("snapshot");
        leaked[0].close();
        assertThat(USER.getStore()).as("null -> null, not null -> outer").isNull();
        String inRequest = in(USER, "request", () -> {
            ContextSnapshot.Scope[] late = new ContextSnapshot.Scope[1];
            in(USER, "inner", () -> late[0] = snapshot.setThreadLocals());
            late[0].close();
            return USER.getStore();
        });
        assertThat(inRequest).as("request -> request, not request -> inner").isEqualTo("request");
        assertThat(entries()).isEqualTo("Snapshot[0 stores]");
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new AsyncLocalThreadLocalAccessor<>(null, USER)).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> new AsyncLocalThreadLocalAccessor<>("", USER)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AsyncLocalThreadLocalAccessor<>("k", null)).isInstanceOf(NullPointerException.class).hasMessage("storage");
        assertThatThrownBy(() -> AsyncLocalThreadLocalAccessor.register(null, "k", USER)).hasMessage("registry");
    }

    @Test
    void registeringAgainUnderTheSameKeyReplaces() {
        ContextRegistry registry = new ContextRegistry();
        AsyncLocalThreadLocalAccessor.register(registry, "k", USER);
        AsyncLocalThreadLocalAccessor<String> second = AsyncLocalThreadLocalAccessor.register(registry, "k", OTHER);
        assertThat(registry.getThreadLocalAccessors()).containsExactly(second);
        assertThat(registry.removeThreadLocalAccessor("k")).isTrue();
    }
}
