package dev.asynclocal.e2e;

import dev.asynclocal.e2e.Outcome.Request;
import dev.asynclocal.e2e.Outcome.Response;
import dev.asynclocal.servers.RequestIds;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * One HTTP request across four processes and two runtimes, with every log line showing its id:
 * <pre>
 * client -HTTP-&gt; A -gRPC-&gt; B -Kafka "orders"-&gt; C -HTTP-&gt; D (Node.js)
 *                 A &lt;-Kafka "replies"- C &lt;-----------------'
 * </pre>
 * The launcher starts a Kafka broker (KRaft, in this JVM), A, B and C as JVMs of their own and D
 * with {@code node}; sends concurrent requests to A, each with its own id; prints every service's
 * lines as {@code A | <id> <message>}; stops everything; and exits with 0 only if every request
 * got D's reply with its own id and every line is consistent ({@link Outcome#problems()}).
 * <pre>
 * mvn -B -q -pl asynclocal-e2e -am -DskipTests package exec:exec@demo [-Dexec.args=5]
 * </pre>
 * Exit status 2 means {@code node} is not on the {@code PATH}.
 */
public final class AcrossServicesDemo {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(45);

    private AcrossServicesDemo() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Optional<Path> node = findNode();
        if (node.isEmpty()) {
            System.out.println("node not on PATH: the Node.js service D cannot run; install Node.js and try again");
            System.exit(2);
        }
        Outcome outcome = run(requests, node.get(), line -> System.out.println(line));
        System.out.println();
        for (Response response : outcome.responses()) {
            System.out.println(response.request().order() + " (X-Request-Id " + response.request().id() + ") -> "
                    + response.status() + " " + response.body().strip());
        }
        List<String> problems = outcome.problems();
        if (problems.isEmpty()) {
            System.out.println("OK: " + requests + " concurrent requests; every line of A, B, C and D carries the id of"
                    + " the request it was written for, and every request got D's reply with its own id");
            System.exit(0);
        }
        problems.forEach(problem -> System.out.println("PROBLEM: " + problem));
        System.exit(1);
    }

    /** The {@code node} executable on the {@code PATH}, if there is one. */
    public static Optional<Path> findNode() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        List<String> names = System.getProperty("os.name", "").startsWith("Windows") ? List.of("node.exe") : List.of("node");
        for (String directory : path.split(File.pathSeparator)) {
            for (String name : names) {
                if (!directory.isEmpty()) {
                    Path candidate = Paths.get(directory, name);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return Optional.of(candidate);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Runs the whole flow once and returns what happened; {@code out} gets every line as it is
     * printed, prefixed with its service's name. Everything started here is stopped before this
     * returns, and by a shutdown hook if the JVM is told to exit first.
     *
     * @param requests how many concurrent requests to send to A
     * @param node the {@code node} executable
     */
    public static Outcome run(int requests, Path node, Consumer<String> out) throws Exception {
        List<LogLine> lines = Collections.synchronizedList(new ArrayList<>());
        Consumer<LogLine> sink = line -> {
            lines.add(line);
            synchronized (out) {
                out.accept(line.toString());
            }
        };
        try (Stack stack = new Stack()) {
            EmbeddedKafkaKraftBroker broker = stack.broker();
            String servers = broker.getBrokersAsString();
            // D and B need nothing but the broker; C needs D's port, A needs B's. Each announces
            // the port it bound, so no port is picked here that someone else could take first.
            Child d = stack.start(Child.start("D", List.of(node.toString(), stack.script().toString()), sink));
            Child b = stack.start(java("B", ServiceB.class, sink, servers));
            int dPort = d.awaitPort(START_TIMEOUT);
            int bPort = b.awaitPort(START_TIMEOUT);
            Child c = stack.start(java("C", ServiceC.class, sink, servers, Integer.toString(dPort)));
            Child a = stack.start(java("A", ServiceA.class, sink, Integer.toString(bPort), servers));
            c.awaitReady(START_TIMEOUT);
            int aPort = a.awaitPort(START_TIMEOUT);

            List<Request> sent = new ArrayList<>();
            for (int i = 1; i <= requests; i++) {
                // a short id, to keep the lines readable; A's filter accepts any valid X-Request-Id
                sent.add(new Request(RequestIds.generate().substring(0, 12), "order-" + i));
            }
            List<Response> responses = send(aPort, sent, sink);
            // Stopping the services is what guarantees their last lines have been read.
            stack.close();
            return new Outcome(sent, responses, new ArrayList<>(lines));
        }
    }

    /** Sends every request at once, from a client with no context of its own, and waits for all answers. */
    private static List<Response> send(int aPort, List<Request> requests, Consumer<LogLine> sink) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (Request request : requests) {
            sink.accept(new LogLine("client", "GET /orders/" + request.order() + " with X-Request-Id: " + request.id()));
            HttpRequest http = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + aPort + "/orders/" + request.order()))
                    .header(RequestIds.DEFAULT_HEADER, request.id())
                    .timeout(REQUEST_TIMEOUT)
                    .build();
            answers.add(client.sendAsync(http, BodyHandlers.ofString())
                    .thenApply(response -> new Response(request, response.statusCode(), response.body()))
                    .exceptionally(error -> new Response(request, -1, error.toString())));
        }
        List<Response> responses = new ArrayList<>();
        for (CompletableFuture<Response> answer : answers) {
            Response response = answer.join();   // each ends by the request's own timeout at the latest
            sink.accept(new LogLine("client", response.request().order() + " -> " + response.status() + " " + response.body().strip()));
            responses.add(response);
        }
        return responses;
    }

    /** A JVM like this one (same java, same class path) running {@code main}, with the MDC in the asynclocal context. */
    private static Child java(String name, Class<?> main, Consumer<LogLine> sink, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dslf4j.provider=dev.asynclocal.slf4j.AsyncLocalServiceProvider",
                "-Dslf4j.internal.verbosity=WARN",
                // the JDK server writes headers and body apart; without this, delayed ACKs add ~40 ms a request
                "-Dsun.net.httpserver.nodelay=true",
                // small, quick-starting JVMs: four of them run on one machine
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        return Child.start(name, command, sink);
    }

    /**
     * Everything the launcher starts, stopped in reverse order: the services, then the broker,
     * then D's script file. A shutdown hook does the same if the JVM exits while it runs.
     */
    private static final class Stack implements AutoCloseable {
        private final List<Child> children = Collections.synchronizedList(new ArrayList<>());
        private final Thread hook = new Thread(this::kill, "e2e-shutdown");
        private EmbeddedKafkaKraftBroker broker;
        private Path script;
        private boolean closed;

        Stack() {
            Runtime.getRuntime().addShutdownHook(hook);
        }

        EmbeddedKafkaKraftBroker broker() {
            broker = new EmbeddedKafkaKraftBroker(1, 2, Services.ORDERS, Services.REPLIES);
            // a consumer group forms at once instead of after the default three seconds
            broker.brokerProperty("group.initial.rebalance.delay.ms", "0");
            broker.afterPropertiesSet();
            return broker;
        }

        /** D's script, copied out of the class path (it may be inside a jar) for node to run. */
        Path script() throws IOException {
            script = Files.createTempFile("asynclocal-e2e-d-", ".js");
            try (InputStream in = AcrossServicesDemo.class.getResourceAsStream("/node/d.js")) {
                if (in == null) {
                    throw new IllegalStateException("node/d.js is not on the class path");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            return script;
        }

        Child start(Child child) {
            children.add(child);
            return child;
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            List<Child> reversed = new ArrayList<>(children);
            Collections.reverse(reversed);
            // in parallel: each may take a grace period, and none depends on another to stop
            CompletableFuture.allOf(reversed.stream()
                    .map(child -> CompletableFuture.runAsync(child::close))
                    .toArray(CompletableFuture[]::new)).join();
            if (broker != null) {
                broker.destroy();
            }
            if (script != null) {
                Files.deleteIfExists(script);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running or has run
            }
        }

        /** The shutdown hook: no time for grace periods. */
        private void kill() {
            synchronized (children) {
                children.forEach(Child::kill);
            }
            if (broker != null) {
                broker.destroy();
            }
        }
    }
}
