package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared scenarios through plain JDK executors and futures, under {@code -javaagent}: the same
 * expectations as {@link WrapperModeTest}, with no wrapper anywhere.
 */
class AgentModeIT extends PropagationScenarios {
    @BeforeAll
    static void agentInstalled() {
        assertThat(AsyncLocalAgent.isInstalled()).as("run with -javaagent:asynclocal-agent.jar").isTrue();
    }

    @Override
    ExecutorService propagating(ExecutorService executor) {
        return executor;
    }

    @Override
    ScheduledExecutorService propagating(ScheduledExecutorService executor) {
        return executor;
    }

    @Override
    <T> CompletableFuture<T> newFuture() {
        return new CompletableFuture<>();
    }

    @Override
    <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor) {
        return CompletableFuture.supplyAsync(supplier, executor);
    }
}
