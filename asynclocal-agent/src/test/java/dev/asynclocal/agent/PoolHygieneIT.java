package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.BeforeAll;

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
}
