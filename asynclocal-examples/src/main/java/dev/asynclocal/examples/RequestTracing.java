package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.trace.AsyncTracer;
import dev.asynclocal.trace.Trace;
import dev.asynclocal.trace.TraceSelection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code --trace FILE} flag of the examples: records the async causality trace of every
 * request a program handles (the requests are told apart by their store of a request storage)
 * and, when closed, writes it as Chrome Trace Event JSON to {@code FILE} and as a Graphviz graph
 * next to it ({@code FILE} with {@code .dot} instead of {@code .json}).
 * <pre>{@code
 * public static void main(String[] args) throws Exception {
 *     try (RequestTracing tracing = RequestTracing.fromArgs(args, REQUEST_ID)) {
 *         run(tracing.remainingArgs());
 *     }
 * }
 * }</pre>
 * Without the flag it records nothing and costs nothing. A program that never closes it (a server
 * stopped with Ctrl-C) still gets its files: they are written at JVM shutdown too.
 */
public final class RequestTracing implements AutoCloseable {
    /** The flag, followed by the file to write. */
    public static final String FLAG = "--trace";

    private final AsyncTracer tracer;
    private final Path json;
    private final String[] remaining;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread atShutdown;

    private RequestTracing(AsyncTracer tracer, Path json, String[] remaining) {
        this.tracer = tracer;
        this.json = json;
        this.remaining = remaining;
        this.atShutdown = tracer == null ? null : new Thread(this::write, "request-tracing-writer");
        if (atShutdown != null) {
            Runtime.getRuntime().addShutdownHook(atShutdown);
        }
    }

    /**
     * Starts tracing the requests that carry a store of {@code requestStorage} if {@code args}
     * contain {@code --trace FILE}; otherwise returns a handle that does nothing.
     *
     * @param args the program's arguments
     * @param requestStorage the storage whose store identifies a request
     * @return the handle; close it when the requests are done
     * @throws IllegalArgumentException if {@code --trace} is the last argument
     */
    public static RequestTracing fromArgs(String[] args, AsyncLocalStorage<?> requestStorage) {
        List<String> rest = new ArrayList<>();
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (FLAG.equals(args[i])) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(FLAG + " needs a file name, e.g. " + FLAG + " requests.json");
                }
                file = writable(args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
        AsyncTracer tracer = file == null ? null : AsyncTracer.start(TraceSelection.carrying(requestStorage));
        return new RequestTracing(tracer, file, rest.toArray(new String[0]));
    }

    /**
     * {@code name} as a path the trace can be written to: its directory is created now, and a file
     * that cannot be written is refused now, with a reason, rather than after the run.
     */
    private static Path writable(String name) {
        Path file;
        try {
            file = Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(FLAG + " " + name + ": not a file name (" + e.getReason() + ")");
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (Files.isDirectory(file) || (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(parent))) {
                throw new IOException("not writable");
            }
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(FLAG + " " + name + ": cannot write the trace there (" + reason(e) + ")");
        }
        return file;
    }

    private static String reason(Exception e) {
        return e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null
                ? ((java.nio.file.FileSystemException) e).getReason()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * The arguments without the flag and its file.
     *
     * @return the remaining arguments
     */
    public String[] remainingArgs() {
        return remaining.clone();
    }

    /**
     * The DOT file written beside the JSON file, or {@code null} without the flag.
     *
     * @return the DOT file
     */
    public Path dotFile() {
        if (json == null) {
            return null;
        }
        String name = json.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(base + ".dot");
    }

    /** Stops tracing and writes the files (nothing without the flag; nothing the second time). */
    @Override
    public void close() {
        if (atShutdown != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(atShutdown);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it writes the files
            }
        }
        write();
    }

    private void write() {
        if (tracer == null || !closed.compareAndSet(false, true)) {
            return;
        }
        Trace trace = tracer.stop().trace();
        try {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(json, trace.toChromeJson());
            Files.writeString(dotFile(), trace.toDot());
        } catch (IOException e) {
            // checked when the flag was read; this is the file system changing under the run
            System.err.println("could not write the trace to " + json.toAbsolutePath() + ": " + reason(e));
            return;
        }
        // Standard error: the example's own output stays exactly what it is without the flag.
        System.err.println("trace of " + trace.requests().size() + " request(s) written to " + json.toAbsolutePath()
                + " (open it in https://ui.perfetto.dev) and " + dotFile().toAbsolutePath() + " (dot -Tsvg)");
    }
}
