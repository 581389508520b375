package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link AsyncLocalAgent#install()} in JVMs started without {@code -javaagent}: by self-attach
 * when the JVM allows it, through a helper JVM otherwise; refused once the application already
 * loaded asynclocal classes of its own; a no-op when the agent is already there.
 */
class InstallIT {
    private static final List<String> EXPECTED = List.of("pool=pool", "stage=stage", "thread=thread", "stream=[stream]");

    private static void assertPropagates(ChildJvm.Result result) {
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.lines()).as(result.toString()).contains("installed-before=false", "installed-after=true",
                "loader=null").containsAll(EXPECTED);
    }

    @Test
    void installsBySelfAttachWhenAllowed() throws Exception {
        assertPropagates(ChildJvm.run(List.of("-Djdk.attach.allowAttachSelf=true"), InstallProbe.class));
    }

    @Test
    void installsThroughAHelperJvmOtherwise() throws Exception {
        assertPropagates(ChildJvm.run(List.of(), InstallProbe.class));
    }

    @Test
    void refusesOnceTheApplicationLoadedAsynclocalClasses() throws Exception {
        ChildJvm.Result result = ChildJvm.run(List.of("-Djdk.attach.allowAttachSelf=true"), InstallProbe.class, "use-first");
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("refused: ").contains("was already loaded by")
                .contains("before the agent was installed");
    }

    @Test
    void isANoOpUnderJavaagent() throws Exception {
        ChildJvm.Result result = ChildJvm.run(List.of("-javaagent:" + ChildJvm.agentJar()), InstallProbe.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.lines()).contains("installed-before=true", "installed-after=true", "loader=null")
                .containsAll(EXPECTED);
        assertThat(result.output).doesNotContain("WARNING");
    }
}
