package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Configuration;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code StructuredTaskScope} forks without the agent: the scope's thread factory wrapped with
 * {@link AsyncExecutors#inheritingThreadFactory} gives the same behaviour as the agent; the
 * default factory gives a fork nothing (nothing propagates by itself without the agent).
 */
class StructuredConcurrencyTest extends StructuredConcurrencyScenarios {
    @Override
    Function<Configuration, Configuration> configuration() {
        return cf -> cf.withThreadFactory(AsyncExecutors.inheritingThreadFactory(virtual()));
    }

    @Test
    void forks() throws Exception {
        aForkSeesTheForkersContextAndItsChangesDoNotFlowBack();
    }

    @Test
    void nesting() throws Exception {
        aForkOutsideAnyContextSeesNothingAndNestedScopesFollow();
    }

    @Test
    void scopedValues() throws Exception {
        scopedValuesAndStoresTravelTogetherInEitherNesting();
    }

    @Test
    void many() throws Exception {
        manyForksEachSeeTheirOwn();
    }

    @Test
    void withoutTheFactoryAForkSeesNothing() throws Exception {
        String seen = STORE.run("forker", () -> {
            try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAllSuccessfulOrThrow())) {
                Subtask<String> fork = scope.fork(() -> String.valueOf(STORE.getStore()));
                scope.join();
                return fork.get();
            }
        });
        assertThat(seen).isEqualTo("null");
    }

    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");

    /** The guide's example (docs/guide.md, "Structured concurrency and virtual threads"). */
    @Test
    void theGuidesExample() throws Exception {
        // snippet:start structured-fork
        ThreadFactory threads = AsyncExecutors.inheritingThreadFactory(Thread.ofVirtual().factory());
        String seen = REQUEST_ID.run("r-7", () -> {
            try (var scope = StructuredTaskScope.open(Joiner.<String>awaitAllSuccessfulOrThrow(),
                    cf -> cf.withThreadFactory(threads))) {
                Subtask<String> fork = scope.fork(() -> REQUEST_ID.getStore());   // "r-7"
                scope.join();
                return fork.get();
            }
        });
        // snippet:end structured-fork
        assertThat(seen).isEqualTo("r-7");
    }
}
