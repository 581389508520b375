package dev.asynclocal.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One service's process, seen from the launcher: its output, line by line, goes to a sink tagged
 * with the service's name (standard error too, so that nothing a service says is lost), and its
 * {@code READY} line completes a future, so the launcher waits for exactly as long as the service
 * takes to start.
 */
final class Child implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final Thread reader;
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    private Child(String name, Process process, Consumer<LogLine> sink) {
        this.name = name;
        this.process = process;
        this.reader = new Thread(() -> read(sink), name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command}; every line it prints goes to {@code sink} as a line of service {@code name}. */
    static Child start(String name, List<String> command, Consumer<LogLine> sink) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new Child(name, process, sink);
    }

    String name() {
        return name;
    }

    /**
     * Waits for the service's {@code READY} line and returns what follows the word, such as
     * {@code port=41235}; fails if the process ends first or takes longer than {@code timeout}.
     */
    String awaitReady(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException(name + " printed no " + Services.READY + " line within " + timeout);
        }
    }

    /** The port a service announced as {@code READY port=<port>}. */
    int awaitPort(Duration timeout) throws InterruptedException, TimeoutException {
        String details = awaitReady(timeout);
        if (!details.startsWith("port=")) {
            throw new IllegalStateException(name + " announced no port: " + details);
        }
        return Integer.parseInt(details.substring("port=".length()).trim());
    }

    private void read(Consumer<LogLine> sink) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (!ready.isDone() && line.startsWith(Services.READY + " ")) {
                    ready.complete(line.substring(Services.READY.length() + 1));
                }
                sink.accept(new LogLine(name, line));
            }
        } catch (IOException e) {
            // the process was killed while a line was on its way; what came before is kept
        }
        ready.completeExceptionally(new IllegalStateException(name + " ended before it was ready"));
    }

    /**
     * Stops the service and waits until all its output has been read: first by closing its
     * standard input, which each service takes as the signal to exit, then, if it is still there
     * after a grace period, by terminating it, and at last by killing it.
     */
    @Override
    public void close() {
        try {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
            reader.join(STOP_GRACE.toMillis());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the process at once: for the launcher's shutdown hook, when there is no time to be polite. */
    void kill() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
