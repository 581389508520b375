package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AsyncLocalAgent#install()} in JVMs started without {@code -javaagent}: by self-attach
 * when the JVM allows it, through a helper JVM otherwise; refused once the application already
 * loaded asynclocal classes of its own; a no-op when the agent is already there.
 */
class InstallIT {
    private static final List<String> EXPECTED = List.of("pool=pool", "commonPool=commonPool", "stage=stage", "thread=thread", "stream=[stream]");

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
    void aMainClassWithAStaticStoreGetsOneClearErrorInsteadOfAssertionNoise() throws Exception {
        for (List<String> options : List.of(List.of("-Djdk.attach.allowAttachSelf=true"), List.<String>of())) {
            ChildJvm.Result result = ChildJvm.run(options, StaticFieldMain.class);
            assertThat(result.exitCode).as(result.toString()).isNotZero();
            assertThat(result.output).as(result.toString())
                    .contains("java.lang.IllegalStateException: asynclocal agent: dev.asynclocal.")
                    .contains("a static asynclocal field of the main class")
                    .contains("docs/agent.md#installing-it-at-run-time")
                    .doesNotContain("ASSERTION FAILED")
                    .doesNotContain("AgentInitializationException")
                    .doesNotContain("pool=");
        }
    }

    @Test
    void theDocumentedLauncherPatternInstallsAndPropagates() throws Exception {
        for (List<String> options : List.of(List.of("-Djdk.attach.allowAttachSelf=true"), List.<String>of())) {
            ChildJvm.Result result = ChildJvm.run(options, LauncherMain.class);
            assertThat(result.exitCode).as(result.toString()).isZero();
            assertThat(result.lines()).as(result.toString()).contains("pool=r-1");
        }
    }

    @Test
    void aRenamedAgentJarAppendsItselfToTheBootstrapClassPath(@TempDir Path dir) throws Exception {
        Path renamed = Files.copy(Path.of(ChildJvm.agentJar()), dir.resolve("renamed-agent.jar"));
        ChildJvm.Result result = ChildJvm.run(List.of("-javaagent:" + renamed), InstallProbe.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.lines()).contains("installed-before=true", "loader=null").containsAll(EXPECTED);
    }

    @Test
    void warnsWhenTheApplicationHasTheLibraryOnTheModulePath() throws Exception {
        String module = System.getProperty("asynclocal.core.module");
        ChildJvm.Result result = ChildJvm.run(List.of("-javaagent:" + ChildJvm.agentJar(), "--module-path", module,
                "--add-modules", "dev.asynclocal"), InstallProbe.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("module dev.asynclocal (asynclocal-core) is on the module path");
        // The warning is right: the application's copy is not the one the JDK classes use.
        assertThat(result.lines()).contains("pool=null").doesNotContain("loader=null");
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
