package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared scenarios through the wrappers, in a JVM without the agent: the reference the agent
 * must match.
 */
class WrapperModeTest extends PropagationScenarios {
    @BeforeAll
    static void noAgentHere() {
        assertThat(AsyncLocalAgent.isInstalled()).as("the agent must not be installed for wrapper mode").isFalse();
    }

    @Override
    ExecutorService propagating(ExecutorService executor) {
        return AsyncExecutors.wrap(executor);
    }

    @Override
    ScheduledExecutorService propagating(ScheduledExecutorService executor) {
        return AsyncExecutors.wrap(executor);
    }

    @Override
    <T> CompletableFuture<T> newFuture() {
        return new AsyncCompletableFuture<>();
    }

    @Override
    <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor) {
        return AsyncCompletableFuture.supplyAsync(supplier, executor);
    }
}
