package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent option {@code threads=inherit}: the explicit opt-in that gives every thread its
 * starter's context for good (the rule before isolation on long-lived threads), against the
 * default {@code threads=isolate}.
 */
class ThreadsOptionIT {
    @Test
    void byDefaultSubclassesInheritNothingAndAPlainThreadLetsGoWhenItWaitsForWork() throws Exception {
        ChildJvm.Result result = ChildJvm.run(List.of("-javaagent:" + ChildJvm.agentJar()), ThreadsOptionProbe.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.lines()).as(result.toString()).contains("subclass=null", "afterTake=null");
    }

    @Test
    void threadsInheritRestoresInheritanceForGood() throws Exception {
        ChildJvm.Result result = ChildJvm.run(List.of("-javaagent:" + ChildJvm.agentJar() + "=threads=inherit"),
                ThreadsOptionProbe.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.lines()).as(result.toString()).contains("subclass=subclass", "afterTake=plain");
    }
}
