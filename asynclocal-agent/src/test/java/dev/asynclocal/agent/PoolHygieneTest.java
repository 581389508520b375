package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncExecutors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.BeforeAll;

/** {@link PoolHygieneScenarios} through {@link AsyncExecutors#wrap}, in a JVM without the agent. */
class PoolHygieneTest extends PoolHygieneScenarios {
    @BeforeAll
    static void noAgentHere() {
        assertThat(AsyncLocalAgent.isInstalled()).as("the agent must not be installed for wrapper mode").isFalse();
    }

    @Override
    ExecutorService propagating(ExecutorService executor) {
        return AsyncExecutors.wrap(executor);
    }
}
