package dev.asynclocal.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Group 7's agent rows: the plain-JDK benchmarks of {@link AgentHopBenchmark} and
 * {@link AgentChainBenchmark} run once in a JVM started with {@code -javaagent}, where they must
 * propagate to every task and stage (the in-process test sees them propagate nothing).
 */
class AgentRowsTest {
    @Test
    void withTheAgentThePlainJdkRowsPropagate() throws Exception {
        String jar = System.getProperty("asynclocal.agent.jar", "");
        Assumptions.assumeTrue(!jar.isEmpty() && Files.isRegularFile(Paths.get(jar)),
                "the agent jar is built by the reactor's package phase: " + jar);
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-javaagent:" + jar,
                "-cp", System.getProperty("java.class.path"), AgentRowsMain.class.getName())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
        assertThat(process.exitValue()).as("exit code; output:%n%s", output).isZero();
        assertThat(output.lines()).containsExactly(
                "agent true",
                "AgentHopBenchmark.jdk " + Burst.TASKS,
                "AgentHopBenchmark.asyncLocal_wrapped " + Burst.TASKS,
                "AgentChainBenchmark.jdk " + AgentChainBenchmark.STAGES,
                "AgentChainBenchmark.asyncLocal_wrapped " + AgentChainBenchmark.STAGES);
    }

    /** Runs in the child JVM: each row once, the way JMH would, printing what it returned. */
    static final class AgentRowsMain {
        public static void main(String[] args) throws Exception {
            System.out.println("agent " + AgentSupport.agentInstalled());
            AgentHopBenchmark hop = new AgentHopBenchmark();
            hop.enter();
            try {
                System.out.println("AgentHopBenchmark.jdk " + hop.jdk());
                System.out.println("AgentHopBenchmark.asyncLocal_wrapped " + hop.asyncLocal_wrapped());
            } finally {
                hop.leave();
            }
            AgentChainBenchmark chain = new AgentChainBenchmark();
            chain.enter();
            try {
                System.out.println("AgentChainBenchmark.jdk " + chain.jdk());
                System.out.println("AgentChainBenchmark.asyncLocal_wrapped " + chain.asyncLocal_wrapped());
            } finally {
                chain.leave();
            }
        }
    }
}
