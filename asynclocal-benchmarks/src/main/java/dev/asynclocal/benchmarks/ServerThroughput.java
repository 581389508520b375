package dev.asynclocal.benchmarks;

import dev.asynclocal.examples.demo.DemoServer;
import dev.asynclocal.examples.demo.Propagation;
import dev.asynclocal.slf4j.AsyncLocalMdc;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The demo server's throughput with and without context propagation: a load generator on loopback
 * against {@link DemoServer}, each variant in a server JVM of its own.
 *
 * <ul>
 *   <li>{@code none}: the baseline, {@link DemoServer#startWithoutContext}: the same header work,
 *       the id passed by hand, plain executors and futures, no agent, so no context is entered,
 *       captured or restored;
 *   <li>{@code agent}: the demo as {@code RequestIdServer} runs it with the agent: plain JDK
 *       executors and futures, instrumented by {@code -javaagent};
 *   <li>{@code wrappers}: the demo without the agent: {@code AsyncExecutors.wrap} and
 *       {@code AsyncCompletableFuture}.
 * </ul>
 *
 * <p>Each request does the demo's work: the filter enters the request's context, the handler hops
 * to a worker, which schedules a task on the timer (after {@code --delay-ms}, 0 by default so that
 * the server, not the delay, bounds the throughput), which completes a future whose stage answers.
 * Logging is off (the benchmarks' {@code logback.xml}): with it on, writing the lines would weigh
 * more than the propagation being measured. Every answer is checked: it must carry its request's
 * id, which the propagated variants read from the context and the baseline passes by hand (so a
 * variant that lost the context fails the run instead of looking fast).
 *
 * <p>The client keeps {@code --connections} HTTP/1.1 keep-alive connections busy, one request at a
 * time each, over plain sockets (the JDK {@code HttpClient} would cost the shared CPUs more than the
 * server). Each measurement is a warm-up then a measured window; rounds alternate the order of the
 * variants (none, agent, wrappers, then the reverse) so that a drift of the machine's speed does not
 * favour one. The result is a JSON file that {@code report.py} renders.
 *
 * <pre>
 * java -cp benchmarks.jar dev.asynclocal.benchmarks.ServerThroughput --out FILE [--agent-jar JAR]
 *      [--warmup S] [--measure S] [--rounds N] [--connections N] [--delay-ms N] [--server-cpus LIST]
 *      [--variants none,agent,wrappers]
 * </pre>
 */
public final class ServerThroughput {
    private static final Pattern ANSWERED = Pattern.compile("request \\d+ answered\n");
    private static final byte[] REQUEST = ("GET /?tag=load HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private ServerThroughput() {
    }

    /** How the server JVM of one variant is started. */
    enum Variant {
        NONE, AGENT, WRAPPERS;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Variant of(String key) {
            return valueOf(key.toUpperCase(Locale.ROOT));
        }
    }

    record Options(int warmupSeconds, int measureSeconds, int rounds, int connections, int delayMs,
                   String agentJar, Path out, String serverCpus, List<Variant> variants) {
        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
                }
                values.put(args[i].substring(2), args[i + 1]);
            }
            List<Variant> variants = new ArrayList<>();
            for (String v : values.getOrDefault("variants", "none,agent,wrappers").split(",")) {
                variants.add(Variant.of(v.trim()));
            }
            Options options = new Options(
                    Integer.parseInt(values.getOrDefault("warmup", "10")),
                    Integer.parseInt(values.getOrDefault("measure", "20")),
                    Integer.parseInt(values.getOrDefault("rounds", "3")),
                    Integer.parseInt(values.getOrDefault("connections", "32")),
                    Integer.parseInt(values.getOrDefault("delay-ms", "0")),
                    values.getOrDefault("agent-jar", System.getProperty("asynclocal.agent.jar", "")),
                    values.containsKey("out") ? Paths.get(values.get("out")) : null,
                    values.getOrDefault("server-cpus", ""),
                    variants);
            values.keySet().removeAll(List.of("warmup", "measure", "rounds", "connections", "delay-ms", "agent-jar",
                    "out", "server-cpus", "variants"));
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown options: " + values.keySet());
            }
            if (variants.contains(Variant.AGENT) && !Files.isRegularFile(Paths.get(options.agentJar))) {
                throw new IllegalArgumentException("the agent variant needs --agent-jar (or -Dasynclocal.agent.jar): "
                        + options.agentJar);
            }
            return options;
        }
    }

    /**
     * Runs the measurement.
     *
     * @param args the options above
     * @throws Exception if a server does not start or an answer is wrong
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ServerThroughput: " + e.getMessage());
            System.exit(2);
            return;
        }
        Map<Variant, List<Double>> rates = new LinkedHashMap<>();
        for (Variant v : options.variants()) {
            rates.put(v, new ArrayList<>());
        }
        for (int round = 0; round < options.rounds(); round++) {
            List<Variant> order = new ArrayList<>(options.variants());
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (Variant variant : order) {
                double rate = measure(variant, options);
                rates.get(variant).add(rate);
                System.out.printf(Locale.ROOT, "ServerThroughput: round %d, %-8s %,10.0f requests/s%n",
                        round + 1, variant.key(), rate);
            }
        }
        String json = json(options, rates);
        if (options.out() != null) {
            Files.writeString(options.out(), json);
            System.out.println("ServerThroughput: wrote " + options.out());
        } else {
            System.out.print(json);
        }
    }

    /** One server JVM, a warm-up, a measured window; returns requests per second. */
    private static double measure(Variant variant, Options options) throws Exception {
        List<String> command = new ArrayList<>();
        if (!options.serverCpus().isEmpty()) {
            command.addAll(List.of("taskset", "-c", options.serverCpus()));
        }
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        if (variant == Variant.AGENT) {
            command.add("-javaagent:" + options.agentJar());
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Server.class.getName(),
                variant.key(), Integer.toString(options.delayMs())));
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            // Skip what the JVM itself may print first (JAVA_TOOL_OPTIONS, a flight recording).
            for (int skipped = 0; line != null && !line.startsWith("listening ") && skipped < 20; skipped++) {
                line = out.readLine();
            }
            if (line == null || !line.startsWith("listening ")) {
                throw new IllegalStateException(variant.key() + " server did not start: " + line);
            }
            int port = Integer.parseInt(line.substring("listening ".length()).trim());
            return load(port, options);
        } finally {
            server.getOutputStream().close();   // the server stops when its stdin closes
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static double load(int port, Options options) throws Exception {
        LongAdder answered = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        // set before the sockets are closed, so the failures that closing causes are not reported
        AtomicBoolean stopping = new AtomicBoolean();
        for (int i = 0; i < options.connections(); i++) {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            sockets.add(socket);
            Thread thread = new Thread(() -> {
                try {
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    OutputStream os = socket.getOutputStream();
                    while (true) {
                        os.write(REQUEST);
                        os.flush();
                        String body = readAnswer(in);
                        // Every variant answers with its id: from the context, or (the baseline) passed by hand.
                        boolean right = ANSWERED.matcher(body).matches();
                        if (!right) {
                            throw new IllegalStateException("unexpected answer: " + body);
                        }
                        answered.increment();
                    }
                } catch (Throwable t) {
                    if (!stopping.get()) {
                        failure.compareAndSet(null, t);
                    }
                }
            }, "load-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        sleep(Duration.ofSeconds(options.warmupSeconds()), failure);
        long before = answered.sum();
        long start = System.nanoTime();
        sleep(Duration.ofSeconds(options.measureSeconds()), failure);
        long after = answered.sum();
        long end = System.nanoTime();
        stopping.set(true);
        for (Socket socket : sockets) {
            socket.close();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a connection failed", failure.get());
        }
        return (after - before) / ((end - start) / 1e9);
    }

    /** Sleeps, but gives up at once when a connection has failed. */
    private static void sleep(Duration duration, AtomicReference<Throwable> failure) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        while (failure.get() == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        throw new IllegalStateException("a connection failed", failure.get());
    }

    /** Reads one HTTP/1.1 answer with a Content-Length and returns its body; 200 only. */
    static String readAnswer(InputStream in) throws IOException {
        String status = readLine(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IllegalStateException("status: " + status);
        }
        int length = -1;
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(header.substring(colon + 1).trim());
            }
        }
        if (length < 0) {
            throw new IllegalStateException("no Content-Length");
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new SocketException("connection closed in a body");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new SocketException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static String json(Options options, Map<Variant, List<Double>> rates) {
        StringBuilder s = new StringBuilder();
        s.append("{\n  \"benchmark\": \"ServerThroughput\",\n");
        s.append(String.format(Locale.ROOT, "  \"settings\": {\"warmupSeconds\": %d, \"measureSeconds\": %d, "
                        + "\"rounds\": %d, \"connections\": %d, \"delayMs\": %d, \"serverCpus\": \"%s\", "
                        + "\"javaVersion\": \"%s\", \"vmName\": \"%s\"},\n",
                options.warmupSeconds(), options.measureSeconds(), options.rounds(), options.connections(),
                options.delayMs(), options.serverCpus(), System.getProperty("java.version"),
                System.getProperty("java.vm.name")));
        s.append("  \"variants\": {");
        String separator = "\n";
        for (Map.Entry<Variant, List<Double>> e : rates.entrySet()) {
            s.append(separator).append("    \"").append(e.getKey().key()).append("\": [");
            StringBuilder list = new StringBuilder();
            for (double rate : e.getValue()) {
                list.append(list.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", rate));
            }
            s.append(list).append(']');
            separator = ",\n";
        }
        s.append("\n  }\n}\n");
        return s.toString();
    }

    /**
     * The server JVM of one variant: starts the demo server, prints {@code listening PORT}, and
     * serves until its standard input closes.
     */
    static final class Server {
        public static void main(String[] args) throws Exception {
            Variant variant = Variant.of(args[0]);
            Duration delay = Duration.ofMillis(Integer.parseInt(args[1]));
            // as RequestIdServer sets them up: the JDK server's two writes per answer would
            // otherwise meet the client's delayed ACKs
            System.setProperty("sun.net.httpserver.nodelay", "true");
            System.setProperty("slf4j.internal.verbosity", "WARN");
            if (variant != Variant.NONE) {
                AsyncLocalMdc.install();
            }
            if (variant == Variant.AGENT && !Propagation.agentInstalled()) {
                System.err.println("ServerThroughput: the agent variant runs without the agent");
                System.exit(3);
            }
            DemoServer server = switch (variant) {
                case NONE -> DemoServer.startWithoutContext(0, delay);
                case AGENT -> DemoServer.start(0, Propagation.AGENT, delay);
                case WRAPPERS -> DemoServer.start(0, Propagation.WRAPPERS, delay);
            };
            try (server) {
                PrintStream out = System.out;
                out.println("listening " + server.uri().getPort());
                out.flush();
                while (System.in.read() >= 0) {
                    // serve until the parent closes our stdin
                }
            }
        }
    }
}
