package dev.asynclocal.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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

/**
 * The throughput of a Spring Boot MVC application with the asynclocal starter against the same
 * application without it: a load generator on loopback against
 * {@link dev.asynclocal.benchmarks.spring.ThroughputApplication}, each variant in a server JVM of
 * its own, started afresh for every round.
 *
 * <p>Variants (the application's code is the same in all of them):
 * <ul>
 *   <li>{@code none}: the baseline, the starter's auto-configurations excluded with
 *       {@code spring.autoconfigure.exclude} and Logback's own MDC: the application as it is
 *       without the starter (its jars stay on the class path and do nothing);
 *   <li>{@code starter}: the starter as a user runs it, with asynclocal's SLF4J provider
 *       ({@code -Dslf4j.provider=...}, as docs/spring-boot.md says);
 *   <li>the starter's parts, to see what costs what: {@code starter-logback-mdc} (Logback's own
 *       MDC instead of asynclocal's), {@code starter-no-executors}
 *       ({@code asynclocal.executors.enabled=false}: no task decorator),
 *       {@code starter-no-request-id} ({@code asynclocal.request-id.enabled=false}: the baggage
 *       filter alone), and {@code starter-agent} (the starter with {@code -javaagent}).
 * </ul>
 *
 * <p>Every answer is checked: variants whose hop should see the request's id must answer with
 * the id the request sent, the others with {@code "null"}.
 *
 * <p>A round starts a fresh server JVM per variant, all pinned to the server CPU, and then loads
 * them in turn, a slice of {@code --slice} seconds each, the first variant of each cycle rotating:
 * first {@code --warmup} seconds per variant, then {@code --measure} seconds per variant, counted.
 * Only the server being loaded works (the others' threads wait on their sockets), and slices a few
 * seconds long put every variant through the same moments of the machine's load, where whole
 * tens-of-seconds windows one after the other made the ratio swing by tens of percent on a shared
 * two-core machine. Each variant keeps {@code --connections} HTTP/1.1 keep-alive connections, one
 * request at a time each, over plain sockets (cheap for the CPU the client shares), each request
 * with an {@code X-Request-Id} of its own. Besides requests per second, the server JVM's CPU time
 * per request is recorded (from {@code /proc}). The JSON result is what
 * {@code report.py spring-boot} reads: per round, and per slice for ratios of neighbouring slices.
 *
 * <pre>
 * java -cp benchmarks.jar:$(cat target/spring-boot-classpath.txt) dev.asynclocal.benchmarks.SpringBootThroughput
 *      --out FILE [--warmup S] [--measure S] [--slice S] [--rounds N] [--connections N]
 *      [--server-cpus LIST] [--variants none,starter,...] [--agent-jar JAR]
 * </pre>
 * The server JVMs get this JVM's class path, so it must hold Boot and the starter:
 * {@code run.sh --spring-boot} sets it up.
 */
public final class SpringBootThroughput {
    static final String APPLICATION = "dev.asynclocal.benchmarks.spring.ThroughputApplication";

    /** The starter's auto-configurations, all of which the baseline excludes. */
    static final List<String> STARTER_AUTO_CONFIGURATIONS = List.of(
            "dev.asynclocal.spring.boot.AsyncLocalAutoConfiguration",
            "dev.asynclocal.spring.boot.AsyncLocalServletAutoConfiguration",
            "dev.asynclocal.spring.boot.AsyncLocalWebFluxAutoConfiguration",
            "dev.asynclocal.spring.boot.AsyncLocalEndpointAutoConfiguration");

    private static final String ASYNCLOCAL_PROVIDER = "dev.asynclocal.slf4j.AsyncLocalServiceProvider";

    private SpringBootThroughput() {
    }

    /** How the server JVM of one variant is started, and what its answers must be. */
    enum Variant {
        NONE("none", false, false, false, true),
        STARTER("starter", true, true, false, false),
        STARTER_LOGBACK_MDC("starter-logback-mdc", true, false, false, true),
        STARTER_NO_EXECUTORS("starter-no-executors", true, true, false, true, "--asynclocal.executors.enabled=false"),
        STARTER_NO_REQUEST_ID("starter-no-request-id", true, true, false, true, "--asynclocal.request-id.enabled=false"),
        STARTER_AGENT("starter-agent", true, true, true, false);

        final String key;
        final boolean starter;
        final boolean asyncLocalMdc;
        final boolean agent;
        /** Whether the hop sees no request id (the answer is {@code "null"}). */
        final boolean answersNull;
        final List<String> properties;

        Variant(String key, boolean starter, boolean asyncLocalMdc, boolean agent, boolean answersNull,
                String... properties) {
            this.key = key;
            this.starter = starter;
            this.asyncLocalMdc = asyncLocalMdc;
            this.agent = agent;
            this.answersNull = answersNull;
            this.properties = List.of(properties);
        }

        static Variant of(String key) {
            for (Variant v : values()) {
                if (v.key.equals(key)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown variant " + key + "; known: "
                    + Arrays.stream(values()).map(v -> v.key).toList());
        }

        /** The server JVM's command line, after {@code java}. */
        List<String> command(String agentJar) {
            List<String> command = new ArrayList<>();
            if (agent) {
                command.add("-javaagent:" + agentJar);
            }
            if (asyncLocalMdc) {
                command.add("-Dslf4j.provider=" + ASYNCLOCAL_PROVIDER);
            }
            // asynclocal-slf4j warns once when its provider is not selected: expected here
            command.add("-Dslf4j.internal.verbosity=WARN");
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), APPLICATION));
            if (!starter) {
                command.add("--spring.autoconfigure.exclude=" + String.join(",", STARTER_AUTO_CONFIGURATIONS));
            }
            command.addAll(properties);
            return command;
        }
    }

    record Options(int warmupSeconds, int measureSeconds, int sliceSeconds, int rounds, int connections,
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
            for (String v : values.getOrDefault("variants", "none,starter").split(",")) {
                variants.add(Variant.of(v.trim()));
            }
            Options options = new Options(
                    Integer.parseInt(values.getOrDefault("warmup", "15")),
                    Integer.parseInt(values.getOrDefault("measure", "30")),
                    Integer.parseInt(values.getOrDefault("slice", "2")),
                    Integer.parseInt(values.getOrDefault("rounds", "4")),
                    Integer.parseInt(values.getOrDefault("connections", "32")),
                    values.getOrDefault("agent-jar", System.getProperty("asynclocal.agent.jar", "")),
                    values.containsKey("out") ? Paths.get(values.get("out")) : null,
                    values.getOrDefault("server-cpus", ""),
                    variants);
            values.keySet().removeAll(List.of("warmup", "measure", "slice", "rounds", "connections", "agent-jar", "out",
                    "server-cpus", "variants"));
            if (options.sliceSeconds() < 1) {
                throw new IllegalArgumentException("--slice must be at least 1 second");
            }
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown options: " + values.keySet());
            }
            if (variants.stream().anyMatch(v -> v.agent) && !Files.isRegularFile(Paths.get(options.agentJar))) {
                throw new IllegalArgumentException("an agent variant needs --agent-jar: " + options.agentJar);
            }
            return options;
        }
    }

    /** A started server JVM of one variant. */
    record Server(Variant variant, Process process, int port, String bootVersion, String springVersion) {
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
            System.err.println("SpringBootThroughput: " + e.getMessage());
            System.exit(2);
            return;
        }
        Results results = new Results(options.variants());
        for (int round = 0; round < options.rounds(); round++) {
            List<Variant> order = new ArrayList<>(options.variants());
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            round(round + 1, order, options, results);
        }
        String json = results.json(options);
        if (options.out() != null) {
            Files.writeString(options.out(), json);
            System.out.println("SpringBootThroughput: wrote " + options.out());
        } else {
            System.out.print(json);
        }
    }

    /** What the rounds measured, per variant. */
    static final class Results {
        final Map<Variant, List<Double>> rates = new LinkedHashMap<>();
        final Map<Variant, List<Double>> cpu = new LinkedHashMap<>();
        /** The rate of each slice, in cycle order across rounds: the same index is the same cycle. */
        final Map<Variant, List<Double>> slices = new LinkedHashMap<>();
        String boot = "?";
        String spring = "?";

        Results(List<Variant> variants) {
            for (Variant v : variants) {
                rates.put(v, new ArrayList<>());
                cpu.put(v, new ArrayList<>());
                slices.put(v, new ArrayList<>());
            }
        }

        String json(Options options) {
            StringBuilder s = new StringBuilder();
            s.append("{\n  \"benchmark\": \"SpringBootThroughput\",\n");
            s.append(String.format(Locale.ROOT, "  \"settings\": {\"warmupSeconds\": %d, \"measureSeconds\": %d, "
                            + "\"sliceSeconds\": %d, \"rounds\": %d, \"connections\": %d, \"serverCpus\": \"%s\", "
                            + "\"javaVersion\": \"%s\", \"vmName\": \"%s\", \"springBoot\": \"%s\", "
                            + "\"springFramework\": \"%s\"},\n",
                    options.warmupSeconds(), options.measureSeconds(), options.sliceSeconds(), options.rounds(),
                    options.connections(), options.serverCpus(), System.getProperty("java.version"),
                    System.getProperty("java.vm.name"), boot, spring));
            s.append("  \"variants\": ");
            appendSeries(s, rates);
            s.append(",\n  \"cpuMicrosPerRequest\": ");
            appendSeries(s, cpu);
            s.append(",\n  \"slices\": ");
            appendSeries(s, slices);
            s.append("\n}\n");
            return s.toString();
        }
    }

    /**
     * One round: a fresh server JVM per variant, all started first, then loaded in turn in slices
     * of {@code --slice} seconds (warm-up, then the measured slices), the first variant of each
     * cycle rotating. The servers share the server CPU, but only the one being loaded works: the
     * others' threads wait on their sockets. Slices a few seconds long put every variant through
     * the same moments of the machine's load, which blocks of tens of seconds do not.
     */
    private static void round(int round, List<Variant> order, Options options, Results results) throws Exception {
        List<Server> servers = new ArrayList<>();
        List<Load> loads = new ArrayList<>();
        try {
            for (Variant variant : order) {
                Server server = start(variant, options);
                servers.add(server);
                results.boot = server.bootVersion();
                results.spring = server.springVersion();
            }
            for (Server server : servers) {
                loads.add(new Load(server, options.connections()));
            }
            int n = loads.size();
            long slice = TimeUnit.SECONDS.toNanos(options.sliceSeconds());
            int warmupSlices = Math.max(1, (int) Math.ceil((double) options.warmupSeconds() / options.sliceSeconds()));
            for (int cycle = 0; cycle < warmupSlices; cycle++) {
                for (int i = 0; i < n; i++) {
                    loads.get((cycle + i) % n).run(slice);
                }
            }
            int cycles = Math.max(1, options.measureSeconds() / options.sliceSeconds());
            long[] answered = new long[n];
            long[] nanos = new long[n];
            long[] ticks = new long[n];
            for (int cycle = 0; cycle < cycles; cycle++) {
                for (int i = 0; i < n; i++) {
                    int at = (cycle + i) % n;
                    Load load = loads.get(at);
                    long cpuBefore = cpuTicks(load.server.process().pid());
                    Load.Slice done = load.run(slice);
                    long cpuAfter = cpuTicks(load.server.process().pid());
                    answered[at] += done.answered();
                    nanos[at] += done.nanos();
                    ticks[at] += cpuBefore < 0 || cpuAfter < 0 ? 0 : cpuAfter - cpuBefore;
                    results.slices.get(load.server.variant()).add(done.answered() / (done.nanos() / 1e9));
                }
            }
            for (int i = 0; i < n; i++) {
                Variant variant = loads.get(i).server.variant();
                double rate = answered[i] / (nanos[i] / 1e9);
                double cpuMicros = answered[i] == 0 ? Double.NaN : ticks[i] * 1e6 / TICKS_PER_SECOND / answered[i];
                results.rates.get(variant).add(rate);
                results.cpu.get(variant).add(cpuMicros);
                System.out.printf(Locale.ROOT, "SpringBootThroughput: round %d, %-22s %,10.0f requests/s, %6.1f us CPU/request%n",
                        round, variant.key, rate, cpuMicros);
            }
        } finally {
            for (Load load : loads) {
                load.close();
            }
            for (Server server : servers) {
                server.process().getOutputStream().close();   // the server stops when its stdin closes
            }
            for (Server server : servers) {
                if (!server.process().waitFor(30, TimeUnit.SECONDS)) {
                    server.process().destroyForcibly();
                }
            }
        }
    }

    private static Server start(Variant variant, Options options) throws Exception {
        List<String> command = new ArrayList<>();
        if (!options.serverCpus().isEmpty()) {
            command.addAll(List.of("taskset", "-c", options.serverCpus()));
        }
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(variant.command(options.agentJar()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        // Skip what the JVM itself may print first (JAVA_TOOL_OPTIONS, the agent's notes).
        for (int skipped = 0; line != null && !line.startsWith("listening ") && skipped < 20; skipped++) {
            line = out.readLine();
        }
        if (line == null || !line.startsWith("listening ")) {
            process.getOutputStream().close();
            process.destroyForcibly();
            throw new IllegalStateException(variant.key + " server did not start: " + line);
        }
        String[] words = line.split(" ");
        return new Server(variant, process, Integer.parseInt(words[1]), words[2], words[3]);
    }

    /**
     * The keep-alive connections to one server, each with a thread that sends one request at a
     * time while this server's slice is on and waits otherwise. Every answer is checked.
     */
    static final class Load implements AutoCloseable {
        record Slice(long answered, long nanos) {
        }

        final Server server;
        private final LongAdder answered = new LongAdder();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private volatile boolean on;
        private final Object gate = new Object();
        private final List<Socket> sockets = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        Load(Server server, int connections) throws Exception {
            this.server = server;
            Variant variant = server.variant();
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
                socket.setTcpNoDelay(true);
                sockets.add(socket);
                String prefix = variant.key + "-c" + i + "-";
                Thread thread = new Thread(() -> {
                    try {
                        InputStream in = new BufferedInputStream(socket.getInputStream());
                        OutputStream os = socket.getOutputStream();
                        for (long n = 0; awaitOn(); ) {
                            String id = prefix + n++;
                            os.write(("GET /work HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: " + id + "\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                            os.flush();
                            String body = ServerThroughput.readAnswer(in);
                            String want = variant.answersNull ? "null" : id;
                            if (!want.equals(body)) {
                                throw new IllegalStateException(variant.key + ": request " + id + " answered " + body
                                        + ", expected " + want);
                            }
                            answered.increment();
                        }
                    } catch (Throwable t) {
                        if (!stopping.get()) {
                            failure.compareAndSet(null, t);
                        }
                    }
                }, "load-" + variant.key + "-" + i);
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
        }

        /**
         * Whether to send the next request: at once while this server's slice is on; otherwise
         * blocks (no polling: the idle connections of the other variants must not take the load
         * generator's CPU) until the slice starts or the load stops.
         */
        private boolean awaitOn() throws InterruptedException {
            if (on) {
                return true;
            }
            synchronized (gate) {
                while (!on && !stopping.get()) {
                    gate.wait();
                }
            }
            return !stopping.get();
        }

        private void switchTo(boolean value) {
            synchronized (gate) {
                on = value;
                gate.notifyAll();
            }
        }

        /** Loads the server for {@code nanos}; returns the answers counted in that time. */
        Slice run(long nanos) throws InterruptedException {
            long before = answered.sum();
            long start = System.nanoTime();
            switchTo(true);
            try {
                sleep(nanos, failure);
            } finally {
                switchTo(false);
            }
            long end = System.nanoTime();
            long after = answered.sum();
            return new Slice(after - before, end - start);
        }

        @Override
        public void close() throws Exception {
            stopping.set(true);
            switchTo(false);
            for (Socket socket : sockets) {
                socket.close();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a connection failed", failure.get());
            }
        }
    }

    /** Sleeps, but gives up at once when a connection has failed. */
    private static void sleep(long nanos, AtomicReference<Throwable> failure) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (failure.get() == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        throw new IllegalStateException("a connection failed", failure.get());
    }

    /** Linux's USER_HZ, the unit of the CPU times in /proc/PID/stat; 100 on every common kernel. */
    private static final double TICKS_PER_SECOND = 100;

    /**
     * The CPU time (user + system, in clock ticks) that process {@code pid} has used so far, from
     * {@code /proc/PID/stat}; -1 where there is no such file. On a machine shared with other work,
     * CPU time per request moves much less than requests per second, which the other work's share
     * of the server's CPU changes directly. ({@code taskset} execs the JVM, so the pid is the JVM's.)
     */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            // the fields after the command name, which is in parentheses and may hold spaces
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // utime, stime
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void appendSeries(StringBuilder s, Map<Variant, List<Double>> series) {
        s.append('{');
        String separator = "\n";
        for (Map.Entry<Variant, List<Double>> e : series.entrySet()) {
            s.append(separator).append("    \"").append(e.getKey().key).append("\": [");
            StringBuilder list = new StringBuilder();
            for (double value : e.getValue()) {
                list.append(list.length() == 0 ? "" : ", ")
                        .append(Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.1f", value));
            }
            s.append(list).append(']');
            separator = ",\n";
        }
        s.append("\n  }");
    }
}
