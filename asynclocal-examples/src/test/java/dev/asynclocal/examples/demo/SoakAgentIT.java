package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The soak with the asynclocal agent: failsafe starts this JVM with {@code -javaagent}, and the
 * server uses plain JDK pools, {@code CompletableFuture}s, parallel streams and (Java 21+) a
 * virtual-thread executor with no wrapper at all.
 */
class SoakAgentIT extends SoakTest {

    @Test
    void theAgentIsInstalled() {
        assertThat(Propagation.agentInstalled()).isTrue();
    }

    @Override
    Propagation mode() {
        return Propagation.AGENT;
    }
}
