package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test tree in a fresh JVM, for what must start from a clean JVM. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The shaded agent jar under test (set by the failsafe configuration). */
    static String agentJar() {
        String jar = System.getProperty("asynclocal.agent.jar");
        assertThat(jar).as("system property asynclocal.agent.jar").isNotNull();
        assertThat(new File(jar)).isFile();
        return jar;
    }

    /** Output (stdout and stderr) and exit code of a finished child. */
    static final class Result {
        final int exitCode;
        final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        List<String> lines() {
            return Arrays.asList(output.split("\\R"));
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ":\n" + output;
        }
    }

    /**
     * Runs {@code mainClass} with this JVM's class path, the given JVM options before it and
     * {@code args} after it.
     */
    static Result run(List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
