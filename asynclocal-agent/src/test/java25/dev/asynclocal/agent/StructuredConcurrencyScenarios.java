package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import java.util.List;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Configuration;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/**
 * The same expectations for {@code StructuredTaskScope} forks (JDK 25, preview) with the agent and
 * without it: a fork sees the context of the code that called {@code fork}, as it sees that code's
 * {@code ScopedValue} bindings; what a fork sets never flows back. The two modes differ only in
 * how the scope is opened: {@link #open} is given the configuration each mode needs.
 */
abstract class StructuredConcurrencyScenarios {
    static final ScopedValue<String> SCOPED = ScopedValue.newInstance();

    /** How this mode's scopes make their threads: the default, or an inheriting factory. */
    abstract Function<Configuration, Configuration> configuration();

    <T> StructuredTaskScope<T, Void> open() {
        return StructuredTaskScope.open(Joiner.<T>awaitAllSuccessfulOrThrow(), configuration());
    }

    void aForkSeesTheForkersContextAndItsChangesDoNotFlowBack() throws Exception {
        String after = STORE.run("forker", () -> {
            try (StructuredTaskScope<String, Void> scope = open()) {
                Subtask<String> first = scope.fork(() -> {
                    String seen = STORE.getStore();
                    STORE.enterWith("changed in the fork");
                    return seen;
                });
                Subtask<String> second = STORE.run("inner", () -> scope.fork(STORE::getStore));
                scope.join();
                assertThat(first.get()).isEqualTo("forker");
                assertThat(second.get()).isEqualTo("inner");
            }
            return STORE.getStore();
        });
        assertThat(after).isEqualTo("forker");
    }

    void aForkOutsideAnyContextSeesNothingAndNestedScopesFollow() throws Exception {
        try (StructuredTaskScope<String, Void> scope = open()) {
            Subtask<String> outside = scope.fork(() -> String.valueOf(STORE.getStore()));
            Subtask<String> nested = STORE.run("outer", () -> scope.fork(() -> {
                try (StructuredTaskScope<String, Void> inner = open()) {
                    Subtask<String> deep = inner.fork(STORE::getStore);
                    inner.join();
                    return deep.get();
                }
            }));
            scope.join();
            assertThat(outside.get()).isEqualTo("null");
            assertThat(nested.get()).isEqualTo("outer");
        }
    }

    void scopedValuesAndStoresTravelTogetherInEitherNesting() throws Exception {
        List<String> seen = ScopedValue.where(SCOPED, "scoped").call(() -> STORE.run("store", () -> {
            try (StructuredTaskScope<String, Void> scope = open()) {
                Subtask<String> fork = scope.fork(() -> SCOPED.get() + "+" + STORE.getStore());
                scope.join();
                return List.of(fork.get());
            }
        }));
        assertThat(seen).containsExactly("scoped+store");
        String reversed = STORE.run("store", () -> ScopedValue.where(SCOPED, "scoped").call(() -> {
            try (StructuredTaskScope<String, Void> scope = open()) {
                Subtask<String> fork = scope.fork(() -> SCOPED.get() + "+" + STORE.getStore()
                        + "+" + AsyncLocalStorage.snapshot().run(() -> SCOPED.isBound()));
                scope.join();
                return fork.get();
            }
        }));
        assertThat(reversed).isEqualTo("scoped+store+true");
    }

    void manyForksEachSeeTheirOwn() throws Exception {
        try (StructuredTaskScope<Boolean, Void> scope = open()) {
            List<Subtask<Boolean>> forks = new java.util.ArrayList<>();
            for (int i = 0; i < 500; i++) {
                String mine = "fork-" + i;
                forks.add(STORE.run(mine, () -> scope.fork(() -> {
                    Thread.sleep(1);
                    return mine.equals(STORE.getStore());
                })));
            }
            scope.join();
            assertThat(forks).allSatisfy(f -> assertThat(f.get()).isTrue());
        }
    }

    static ThreadFactory virtual() {
        return Thread.ofVirtual().factory();
    }
}
