package dev.asynclocal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.agent.AsyncLocalAgent;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link ServletStarterTest} again, with the agent installed: the task decorator and
 * the agent must not capture twice or disagree, and {@code CompletableFuture.supplyAsync} on the
 * common pool (which only the agent covers) sees the request too.
 */
class ServletStarterIT extends ServletStarterTest {
    @Override
    boolean agentExpected() {
        return true;
    }

    @Test
    void theAgentIsInstalled() {
        assertThat(AsyncLocalAgent.isInstalled()).isTrue();
    }

    @Test
    void completableFutureOnTheCommonPoolSeesTheRequest() throws Exception {
        for (int i = 0; i < 200; i++) {
            String tenant = i % 2 == 0 ? "t" + i : null;
            assertThat(get("/common-pool", "cp-" + i, tenant).body()).isEqualTo(expected("cp-" + i, String.valueOf(tenant)));
        }
    }
}
