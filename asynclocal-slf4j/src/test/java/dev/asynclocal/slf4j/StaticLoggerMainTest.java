package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link StaticLoggerMain} and its launcher, each in a JVM of its own, as a user starts them. */
class StaticLoggerMainTest {
    private static String run(Class<?> main) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), main.getName()))
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return "exit " + process.exitValue() + "\n" + output;
    }

    @Test
    void aMainClassWithAStaticLoggerGetsOneClearError() throws Exception {
        String result = run(StaticLoggerMain.class);
        assertThat(result).startsWith("exit 1")
                .contains("java.lang.IllegalStateException: SLF4J was initialized before install()")
                .contains("-Dslf4j.provider=dev.asynclocal.slf4j.AsyncLocalServiceProvider")
                .doesNotContain("installed=");
    }

    @Test
    void theLauncherPatternInstalls() throws Exception {
        String result = run(StaticLoggerMain.Launcher.class);
        assertThat(result).startsWith("exit 0").contains("installed=true")
                .doesNotContain("asynclocal-slf4j is on the class path");
    }
}
