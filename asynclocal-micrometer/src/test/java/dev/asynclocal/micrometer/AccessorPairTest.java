package dev.asynclocal.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Micrometer's {@link ThreadLocalAccessor} contract, written once and run twice: against the
 * accessor Micrometer makes for a plain {@code ThreadLocal} (the control) and against
 * {@link AsyncLocalThreadLocalAccessor}. Every expectation is the same for both, so a difference
 * (today, or after an upgrade of context-propagation) fails one of the two nested classes.
 * What only asynclocal has (a scope closed after its asynclocal scope ended) is in
 * {@link AccessorContractTest}.
 */
@SuppressWarnings("try")
class AccessorPairTest {
    /** A key that is not a String: Micrometer's registry takes any object. */
    enum Keys { TENANT }

    /** One implementation of "a value on the current thread" and its accessors. */
    abstract static class Pair {
        ContextRegistry registry;
        ThreadLocalAccessor<String> user;
        ContextSnapshotFactory snapshots;
        ContextSnapshotFactory clearing;
        ExecutorService pool;

        abstract ThreadLocalAccessor<String> register(ContextRegistry registry, Object key);

        /** The value as the application reads it. */
        abstract String current();

        /** Runs {@code body} with the value set the application's way, and undoes it after. */
        abstract <R> R with(String value, Supplier<R> body);

        @BeforeEach
        void setUp() {
            registry = new ContextRegistry();
            user = register(registry, "user");
            snapshots = ContextSnapshotFactory.builder().contextRegistry(registry).build();
            clearing = ContextSnapshotFactory.builder().contextRegistry(registry).clearMissing(true).build();
            pool = Executors.newSingleThreadExecutor();
        }

        @AfterEach
        void tearDown() {
            pool.shutdownNow();
        }

        private String on(ExecutorService executor, Supplier<String> body) throws Exception {
            return executor.submit(body::get).get(10, TimeUnit.SECONDS);
        }

        @Test
        void setValueAndRestoreByHandInMicrometersOrder() {
            List<String> seen = with("outer", () -> {
                List<String> values = new ArrayList<>();
                String before = user.getValue();
                user.setValue("a");
                values.add(current());
                user.setValue("b");
                values.add(current());
                user.restore("a");
                values.add(current());
                user.setValue();
                values.add(String.valueOf(current()));
                user.restore("a");
                values.add(current());
                user.restore(before);
                values.add(current());
                return values;
            });
            assertThat(seen).containsExactly("a", "b", "a", "null", "a", "outer");
            assertThat(current()).isNull();
        }

        @Test
        void restoreWithoutAPreviousValueLeavesNone() {
            String seen = with(null, () -> {
                user.setValue("a");
                user.restore();
                return String.valueOf(current()) + "/" + user.getValue();
            });
            assertThat(seen).isEqualTo("null/null");
        }

        @Test
        void aCapturedValueIsSetOnAnotherThreadAndTheThreadIsCleanAfterwards() throws Exception {
            ContextSnapshot snapshot = with("alice", snapshots::captureAll);
            String seen = on(pool, () -> {
                String inside;
                try (ContextSnapshot.Scope ignored = snapshot.setThreadLocals()) {
                    inside = current();
                }
                return inside + "/" + current();
            });
            assertThat(seen).isEqualTo("alice/null");
        }

        @Test
        void nestedScopesRestoreInTurn() {
            ContextSnapshot alice = with("alice", snapshots::captureAll);
            ContextSnapshot bob = with("bob", snapshots::captureAll);
            List<String> seen = with("carol", () -> {
                List<String> values = new ArrayList<>();
                try (ContextSnapshot.Scope a = alice.setThreadLocals()) {
                    values.add(current());
                    try (ContextSnapshot.Scope b = bob.setThreadLocals()) {
                        values.add(current());
                    }
                    values.add(current());
                }
                values.add(current());
                return values;
            });
            assertThat(seen).containsExactly("alice", "bob", "alice", "carol");
        }

        @Test
        void scopesClosedOutOfOrderGiveThreadLocalValues() {
            ContextSnapshot alice = with("alice", snapshots::captureAll);
            ContextSnapshot bob = with("bob", snapshots::captureAll);
            List<String> seen = with("carol", () -> {
                List<String> values = new ArrayList<>();
                ContextSnapshot.Scope a = alice.setThreadLocals();
                ContextSnapshot.Scope b = bob.setThreadLocals();
                a.close();
                values.add(current());
                b.close();
                values.add(current());
                return values;
            });
            assertThat(seen).containsExactly("carol", "alice");
        }

        @Test
        void clearMissingHidesTheValueForTheScopeOnly() {
            ContextSnapshot empty = clearing.captureAll();
            List<String> seen = with("dave", () -> {
                List<String> values = new ArrayList<>();
                try (ContextSnapshot.Scope ignored = empty.setThreadLocals()) {
                    values.add(String.valueOf(current()));
                }
                values.add(current());
                return values;
            });
            assertThat(seen).containsExactly("null", "dave");
        }

        @Test
        void anyKeyTypeCapturesAndRestores() {
            ContextRegistry byEnum = new ContextRegistry();
            ThreadLocalAccessor<String> tenant = register(byEnum, Keys.TENANT);
            assertThat(tenant.key()).isSameAs(Keys.TENANT);
            assertThat(byEnum.getThreadLocalAccessors()).containsExactly(tenant);
            ContextSnapshotFactory factory = ContextSnapshotFactory.builder().contextRegistry(byEnum).build();
            ContextSnapshot snapshot = with("erin", factory::captureAll);
            List<String> seen = with(null, () -> {
                List<String> values = new ArrayList<>();
                try (ContextSnapshot.Scope ignored = snapshot.setThreadLocals(Keys.TENANT::equals)) {
                    values.add(current());
                }
                values.add(String.valueOf(current()));
                return values;
            });
            assertThat(seen).containsExactly("erin", "null");
        }

        @Test
        void aContextExecutorServiceCarriesTheValueAndLeavesNothing() throws Exception {
            ExecutorService propagating = ContextExecutorService.wrap(Executors.newSingleThreadExecutor(),
                    snapshots::captureAll);
            try {
                String inTask = with("frank", () -> {
                    try {
                        return propagating.submit(this::current).get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(inTask).isEqualTo("frank");
                assertThat(propagating.submit(() -> String.valueOf(current())).get(10, TimeUnit.SECONDS))
                        .isEqualTo("null");
            } finally {
                propagating.shutdownNow();
            }
        }
    }

    /** The control: Micrometer's accessor for a plain {@code ThreadLocal}. */
    @Nested
    class ThreadLocalControl extends Pair {
        private final ThreadLocal<String> value = new ThreadLocal<>();

        @Override
        ThreadLocalAccessor<String> register(ContextRegistry registry, Object key) {
            ThreadLocalAccessor<String> accessor;
            if (key instanceof String) {
                registry.registerThreadLocalAccessor((String) key, value);
                accessor = find(registry, key);
            } else {
                // Micrometer's factory methods take String keys; an accessor over the same
                // ThreadLocal with the same semantics, under another key type.
                accessor = new ThreadLocalAccessor<>() {
                    @Override
                    public Object key() {
                        return key;
                    }

                    @Override
                    public String getValue() {
                        return value.get();
                    }

                    @Override
                    public void setValue(String v) {
                        value.set(v);
                    }

                    @Override
                    public void setValue() {
                        value.remove();
                    }
                };
                registry.registerThreadLocalAccessor(accessor);
            }
            return accessor;
        }

        @SuppressWarnings("unchecked")
        private ThreadLocalAccessor<String> find(ContextRegistry registry, Object key) {
            return (ThreadLocalAccessor<String>) registry.getThreadLocalAccessors().stream()
                    .filter(a -> a.key().equals(key)).findFirst().orElseThrow();
        }

        @Override
        String current() {
            return value.get();
        }

        @Override
        <R> R with(String v, Supplier<R> body) {
            String before = value.get();
            value.set(v);
            try {
                return body.get();
            } finally {
                value.set(before);
            }
        }
    }

    /** asynclocal's accessor. */
    @Nested
    class AsyncLocal extends Pair {
        private final AsyncLocalStorage<String> storage = new AsyncLocalStorage<>("pair");

        @Override
        ThreadLocalAccessor<String> register(ContextRegistry registry, Object key) {
            return AsyncLocalThreadLocalAccessor.register(registry, key, storage);
        }

        @Override
        String current() {
            return storage.getStore();
        }

        @Override
        <R> R with(String v, Supplier<R> body) {
            return storage.<R, RuntimeException>run(v, body::get);
        }
    }
}
