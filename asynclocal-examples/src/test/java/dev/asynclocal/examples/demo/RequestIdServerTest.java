package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The demo as a user runs it: {@link RequestIdServer#main} in a fresh JVM, and its flags. */
class RequestIdServerTest {
    private static final String MAIN = RequestIdServer.class.getName();
    private static final Pattern LINE = Pattern.compile("(\\d+): (start|executor hop|scheduled task|finish) \\[([\\w-]+)\\]");

    @Test
    void byDefaultTwoConcurrentRequestsLogTheSeedsLines() throws Exception {
        Result run = run(List.of(), List.of());
        assertThat(run.exitCode).as("exit code; stderr:%n%s", run.stderr).isZero();
        assertThat(run.stderr).as("stderr").isEmpty();
        assertEachRequestLoggedItsStepsUnderItsOwnId(run.stdout, 2);
    }

    @Test
    void requestsSetsHowManyAndWrappersIsAccepted() throws Exception {
        Result run = run(List.of(), List.of("--requests", "7", "--wrappers"));
        assertThat(run.exitCode).as("exit code; stderr:%n%s", run.stderr).isZero();
        assertEachRequestLoggedItsStepsUnderItsOwnId(run.stdout, 7);
    }

    @Test
    void aWrongFlagPrintsTheUsageAndFails() throws Exception {
        Result run = run(List.of(), List.of("--requests", "many"));
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.stderr).contains("--requests needs a number, not many").contains(RequestIdServer.USAGE);
        assertThat(run.stdout).isEmpty();
    }

    /** {@code --serve}: prints where it listens and a curl command, then answers until stopped. */
    @Test
    void serveKeepsAnsweringAndPrintsACurlCommand() throws Exception {
        Process process = start(List.of("--serve"));
        try {
            BlockingQueue<String> out = linesOf(process);
            List<String> announced = new ArrayList<>();
            while (announced.isEmpty() || !announced.get(announced.size() - 1).equals("stop with Ctrl-C")) {
                String line = out.poll(30, TimeUnit.SECONDS);
                assertThat(line).as("announcement so far: %s", announced).isNotNull();
                announced.add(line);
            }
            assertThat(announced.get(0)).startsWith("serving on http://127.0.0.1:");
            String curl = announced.stream().filter(line -> line.startsWith("try: curl -i ")).findFirst().orElseThrow();
            URI uri = URI.create(curl.substring("try: curl -i ".length()));
            for (int round = 0; round < 2; round++) {
                List<DemoClient.Reply> replies = DemoClient.send(uri, 3, 3, false, Duration.ofSeconds(20));
                assertThat(replies).hasSize(3).allSatisfy(reply -> {
                    assertThat(reply.status()).isEqualTo(200);
                    assertThat(reply.body()).isEqualTo("request " + reply.requestId() + " answered\n");
                });
            }
            List<String> logged = new ArrayList<>();
            while (logged.size() < 6 * 4) {
                String line = out.poll(10, TimeUnit.SECONDS);
                assertThat(line).as("log lines so far: %s", logged).isNotNull();
                logged.add(line);
            }
            assertEachRequestLoggedItsStepsUnderItsOwnId(String.join("\n", logged), 6);
            assertThat(process.isAlive()).as("still serving").isTrue();
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void optionsDefaults() {
        assertThat(RequestIdServer.Options.parse(List.of())).isEqualTo(new RequestIdServer.Options(2, false, 0, false));
        assertThat(RequestIdServer.Options.parse(List.of("--serve")))
                .isEqualTo(new RequestIdServer.Options(0, true, 0, false));
        assertThat(RequestIdServer.Options.parse(List.of("--serve", "8080", "--requests", "3", "--wrappers")))
                .isEqualTo(new RequestIdServer.Options(3, true, 8080, true));
        assertThat(RequestIdServer.Options.parse(List.of("--serve", "--wrappers")))
                .isEqualTo(new RequestIdServer.Options(0, true, 0, true));
    }

    @Test
    void optionsRejectWhatTheyCannotUse() {
        assertThatThrownBy(() -> RequestIdServer.Options.parse(List.of("--requests")))
                .hasMessage("--requests needs a number");
        assertThatThrownBy(() -> RequestIdServer.Options.parse(List.of("--requests", "-1")))
                .hasMessage("--requests must be between 0 and 1000000: -1");
        assertThatThrownBy(() -> RequestIdServer.Options.parse(List.of("--serve", "70000")))
                .hasMessage("--serve must be between 0 and 65535: 70000");
        assertThatThrownBy(() -> RequestIdServer.Options.parse(List.of("--agent")))
                .hasMessage("unknown argument: --agent");
    }

    @Test
    void theTagIsTakenOnlyWhenItIsShortAndPlain() {
        assertThat(DemoServer.tagOf(URI.create("http://h/?tag=17"))).isEqualTo("17");
        assertThat(DemoServer.tagOf(URI.create("http://h/?a=1&tag=x-y_Z&b=2"))).isEqualTo("x-y_Z");
        assertThat(DemoServer.tagOf(URI.create("http://h/"))).isNull();
        assertThat(DemoServer.tagOf(URI.create("http://h/?tag=a%0Ab"))).as("no line breaks in log lines").isNull();
        assertThat(DemoServer.tagOf(URI.create("http://h/?tag=" + "x".repeat(33)))).isNull();
        assertThat(DemoServer.tagOf(URI.create("http://h/?notag=1"))).isNull();
    }

    @Test
    void withoutTheAgentTheDefaultModeIsTheWrappers() {
        assertThat(Propagation.agentInstalled()).isFalse();
        assertThat(Propagation.detect()).isEqualTo(Propagation.WRAPPERS);
    }

    /**
     * Every request logged start, executor hop, scheduled task and finish, in that order, under
     * one id; the ids are 0 to {@code requests - 1}; nothing else was printed.
     */
    static void assertEachRequestLoggedItsStepsUnderItsOwnId(String output, int requests) {
        Map<String, List<String>> stepsOfId = new HashMap<>();
        List<String> other = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                stepsOfId.computeIfAbsent(m.group(1), id -> new ArrayList<>()).add(m.group(2));
            } else {
                other.add(line);
            }
        }
        assertThat(other).as("lines that are not a request's step, in:%n%s", output).isEmpty();
        Map<String, List<String>> expected = new HashMap<>();
        for (int id = 0; id < requests; id++) {
            expected.put(Integer.toString(id), List.of("start", "executor hop", "scheduled task", "finish"));
        }
        assertThat(stepsOfId).as("steps logged under each id, in:%n%s", output).isEqualTo(expected);
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs the demo in a fresh JVM with {@code jvmOptions} and {@code args}, and waits for it. */
    static Result run(List<String> jvmOptions, List<String> args) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile("demo-stdout", ".txt");
        Path stderr = Files.createTempFile("demo-stderr", ".txt");
        try {
            Process process = new ProcessBuilder(command(jvmOptions, args))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the demo did not finish within 60 s; stdout:\n" + Files.readString(stdout));
            }
            return new Result(process.exitValue(), Files.readString(stdout).replace("\r\n", "\n"),
                    Files.readString(stderr).replace("\r\n", "\n"));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static Process start(List<String> args) throws IOException {
        return new ProcessBuilder(command(List.of(), args)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The same JVM and class path as this test, without the test's system properties. */
    private static List<String> command(List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN);
        command.addAll(args);
        return command;
    }

    /** The process's standard output, line by line, read on a daemon thread. */
    private static BlockingQueue<String> linesOf(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was stopped
            }
        }, "demo-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
