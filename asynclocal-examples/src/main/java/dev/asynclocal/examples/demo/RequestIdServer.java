package dev.asynclocal.examples.demo;

import dev.asynclocal.examples.RequestTracing;
import dev.asynclocal.servers.RequestIds;
import dev.asynclocal.slf4j.AsyncLocalMdc;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The demo: the seed's request-id logger as an HTTP server and a client.
 *
 * <p>By default it starts {@link DemoServer} on a free port of {@code 127.0.0.1}, sends it two
 * requests at once with {@link DemoClient}, waits for both answers and stops. Every line the
 * server logs starts with the id of the request it belongs to, on whatever thread it was written:
 * <pre>
 * 0: start [http-1]
 * 1: start [http-2]
 * 0: executor hop [worker-1]
 * 1: executor hop [worker-2]
 * 0: scheduled task [timer-1]
 * 0: finish [timer-1]
 * 1: scheduled task [timer-1]
 * 1: finish [timer-1]
 * </pre>
 * (the order of the lines of different requests varies from run to run).
 *
 * <p>Flags:
 * <ul>
 *   <li>{@code --requests N}: send N concurrent requests instead of 2;
 *   <li>{@code --serve [PORT]}: keep serving (on PORT, or a free port) until stopped, and print a
 *       {@code curl} command to try it; no requests are sent unless {@code --requests} is given;
 *   <li>{@code --wrappers}: propagate with {@code AsyncExecutors.wrap} and
 *       {@code AsyncCompletableFuture} even when the agent is installed. Without the flag the
 *       demo uses plain JDK executors and futures when the asynclocal agent is installed, and the
 *       wrappers otherwise (see {@link Propagation});
 *   <li>{@code --trace FILE}: record the async causality trace of every request and write it,
 *       when the demo stops, as Chrome Trace Event JSON to FILE and as Graphviz DOT beside it
 *       (see {@link RequestTracing} and {@code docs/tracing.md}).
 * </ul>
 *
 * <p>Run it with the agent with
 * {@code mvn -B -q -pl asynclocal-examples -am -DskipTests package exec:exec@demo}, or without it
 * (inside Maven's JVM) with {@code ... package exec:java}, adding
 * {@code -Dexec.args="--serve 8080"} for the flags.
 */
public final class RequestIdServer {
    static final String USAGE = "usage: RequestIdServer [--requests N] [--serve [PORT]] [--wrappers] [--trace FILE]";
    /** How long each request's scheduled task waits: long enough for concurrent requests to overlap. */
    static final Duration DELAY = Duration.ofMillis(20);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private RequestIdServer() {
    }

    /**
     * The parsed command line.
     *
     * @param requests how many requests the built-in client sends
     * @param serve whether to keep serving
     * @param port the port to listen on (0: a free one)
     * @param wrappers whether {@code --wrappers} was given
     */
    record Options(int requests, boolean serve, int port, boolean wrappers) {
        static Options parse(List<String> args) {
            Integer requests = null;
            boolean serve = false;
            int port = 0;
            boolean wrappers = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--requests":
                        if (i + 1 >= args.size()) {
                            throw new IllegalArgumentException("--requests needs a number");
                        }
                        requests = number(args.get(++i), "--requests", 0, 1_000_000);
                        break;
                    case "--serve":
                        serve = true;
                        if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                            port = number(args.get(++i), "--serve", 0, 65535);
                        }
                        break;
                    case "--wrappers":
                        wrappers = true;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown argument: " + arg);
                }
            }
            return new Options(requests != null ? requests : serve ? 0 : 2, serve, port, wrappers);
        }

        private static int number(String text, String flag, int min, int max) {
            int value;
            try {
                value = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs a number, not " + text);
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ": " + text);
            }
            return value;
        }
    }

    /**
     * Runs the demo.
     *
     * @param args the flags above
     * @throws Exception if the server cannot start or a request fails
     */
    public static void main(String[] args) throws Exception {
        RequestTracing tracing;
        try {
            tracing = RequestTracing.fromArgs(args, RequestIds.storage());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        try (tracing) {
            run(tracing.remainingArgs());
        }
    }

    private static void run(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        // SLF4J's note that it loaded the provider named by a property is noise in a demo.
        setIfAbsent("slf4j.internal.verbosity", "WARN");
        // The JDK server sends headers and body in two writes; without this a client's delayed
        // ACK can hold each answer back by some 40 ms.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        // Before any logger exists: the MDC, and so %X{requestId}, must live in the context.
        AsyncLocalMdc.install();

        Propagation propagation = options.wrappers() ? Propagation.WRAPPERS : Propagation.detect();
        try (DemoServer server = DemoServer.start(options.port(), propagation, DELAY)) {
            if (options.serve()) {
                announce(System.out, server);
            }
            if (options.requests() > 0) {
                DemoClient.send(server.uri(), options.requests(), options.requests(), false, CLIENT_TIMEOUT);
            }
            if (options.serve()) {
                stopWithParent();
                new CountDownLatch(1).await();   // until the process is stopped
            }
        }
    }

    /**
     * Under {@code exec:exec} the server is a child of Maven's JVM: when Maven is stopped (Ctrl-C,
     * or {@code kill} of its PID) the server stops too, instead of holding the port.
     */
    private static void stopWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("the parent process ended: stopping the server");
            System.exit(0);
        }));
    }

    private static void announce(PrintStream out, DemoServer server) {
        out.println("serving on " + server.uri() + " with propagation by " + server.propagation().describe());
        if (server.propagation() == Propagation.WRAPPERS && !Propagation.agentInstalled()) {
            out.println("(the asynclocal agent is not installed, so the wrappers are used)");
        }
        out.println("try: curl -i " + server.uri());
        out.println("     curl -i -H 'X-Request-Id: my-id' '" + server.uri() + "?tag=hello'");
        out.println("stop with Ctrl-C");
        out.flush();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
