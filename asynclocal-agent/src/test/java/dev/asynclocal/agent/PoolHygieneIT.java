package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link PoolHygieneScenarios} with plain JDK executors under {@code -javaagent}: no wrapper anywhere. */
class PoolHygieneIT extends PoolHygieneScenarios {
    @BeforeAll
    static void agentInstalled() {
        assertThat(AsyncLocalAgent.isInstalled()).as("run with -javaagent:asynclocal-agent.jar").isTrue();
    }

    @Override
    ExecutorService propagating(ExecutorService executor) {
        return executor;
    }

    /**
     * Agent mode only: the subtasks of a parallel stream are forked inside the pool, where no
     * wrapper sees them. Each element calls {@code enterWith}; no worker keeps any of it.
     */
    @Test
    void parallelStreamElementsLeaveNothingOnTheWorkers() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            pool.submit(() -> IntStream.range(0, 2_000).parallel().forEach(i -> dirty("element-" + i))).get();
            for (int i = 0; i < 50; i++) {
                assertThat(pool.submit(PoolHygieneScenarios::seen).get()).isEqualTo(CLEAN);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
