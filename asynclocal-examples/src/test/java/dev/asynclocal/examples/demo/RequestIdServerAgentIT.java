package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo with the asynclocal agent, as the README's command runs it: failsafe starts this JVM
 * with {@code -javaagent}. The inherited end-to-end test runs twice here, on the plain JDK classes
 * the agent instruments and on the wrappers (which must not be disturbed by the agent).
 */
class RequestIdServerAgentIT extends RequestIdServerEndToEndTest {

    @Test
    void theAgentIsInstalledAndTheDemoUsesItByDefault() {
        assertThat(Propagation.agentInstalled()).isTrue();
        assertThat(Propagation.detect()).isEqualTo(Propagation.AGENT);
        assertThat(modes()).containsExactly(Propagation.WRAPPERS, Propagation.AGENT);
    }

    @Test
    void theDemoPrintsTheSeedsLinesWithTheAgent() throws Exception {
        String agentJar = System.getProperty("asynclocal.agent.jar");
        assertThat(agentJar).as("system property asynclocal.agent.jar").isNotBlank();
        RequestIdServerTest.Result run = RequestIdServerTest.run(List.of("-javaagent:" + agentJar), List.of("--requests", "3"));
        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();
        assertThat(run.stderr()).as("stderr").isEmpty();
        RequestIdServerTest.assertEachRequestLoggedItsStepsUnderItsOwnId(run.stdout(), 3);
    }
}
