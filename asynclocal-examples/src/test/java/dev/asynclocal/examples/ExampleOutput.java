package dev.asynclocal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an example and returns what it printed. */
final class ExampleOutput {
    private ExampleOutput() {
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /**
     * Runs {@code action} in this JVM with {@code System.out} redirected, and returns what was
     * printed, with line separators normalised to {@code \n}. Examples print through
     * {@code System.out} at call time, from any thread, so everything they print is caught.
     */
    static String captureStdout(Action action) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        try {
            action.run();
        } finally {
            System.setOut(original);
            capture.flush();
        }
        return normalise(bytes.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code mainClass} in a fresh JVM, as a user would, and returns its standard output.
     * Async ids come from one process-wide counter, so only a fresh JVM prints the ids the guide
     * shows.
     */
    static String runInFreshJvm(String mainClass) throws IOException, InterruptedException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        // Files, not pipes: a hung example must not block the test in a read; waitFor times out.
        Path stdout = Files.createTempFile("example-stdout", ".txt");
        Path stderr = Files.createTempFile("example-stderr", ".txt");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            boolean finished = process.waitFor(60, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor();
            }
            assertThat(finished).as("%s finished within 60 s", mainClass).isTrue();
            assertThat(process.exitValue())
                    .as("exit code of %s; stderr:%n%s", mainClass, Files.readString(stderr))
                    .isZero();
            return normalise(Files.readString(stdout));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    static String normalise(String text) {
        return text.replace("\r\n", "\n");
    }
}
