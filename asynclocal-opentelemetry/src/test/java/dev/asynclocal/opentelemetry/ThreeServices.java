package dev.asynclocal.opentelemetry;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.servers.HttpServerRequestIdFilter;
import dev.asynclocal.servers.RequestIdConfig;
import dev.asynclocal.servers.RequestIds;
import dev.asynclocal.servers.ServletRequestIdFilter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadableSpan;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three services on loopback, in one JVM but sharing nothing but the wire: each has its own
 * {@link AsyncLocalStorage} instances for the request id and the user, its own declarations, its
 * own HTTP client and thread pools, so a value seen downstream can only have travelled in headers.
 *
 * <ul>
 *   <li><b>A</b>, a JDK {@code HttpServer}: takes the user from its own {@code X-User} header (its
 *       "authentication"), starts span {@code A}, calls B with {@code sendAsync} and answers from
 *       the response stage.</li>
 *   <li><b>B</b>, an asynchronous servlet on Jetty: starts span {@code B}, does its work in an
 *       {@link AsyncCompletableFuture} on an {@link AsyncExecutors} pool, calls C from a
 *       {@code thenCompose} stage and completes the {@code AsyncContext} from the last stage.</li>
 *   <li><b>C</b>, a JDK {@code HttpServer} with one server thread: hands the exchange to an
 *       {@link AsyncExecutors} pool of one thread, which logs, starts span {@code C} and answers.</li>
 * </ul>
 * Every service answers with one line describing what it saw, followed by the lines of the
 * services it called: {@code NAME requestId=.. user=.. trace=.. parent=..}.
 */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
final class ThreeServices implements AutoCloseable {
    /** The store type of the user: a name of lowercase letters; anything else does not decode. */
    record User(String name) {
        static User parse(String text) {
            if (!text.matches("[a-z]{1,32}")) {
                throw new IllegalArgumentException("not a user name");
            }
            return new User(text);
        }
    }

    /** One service's own state. */
    static final class Service {
        final String name;
        final AsyncLocalStorage<String> requestId;
        final AsyncLocalStorage<User> user;
        final BaggagePropagation propagation;
        final RequestIdConfig requestIds;
        final ExecutorService clientThreads = Executors.newFixedThreadPool(2);
        final HttpClient client;
        final Logger log;

        Service(String name) {
            this.name = name;
            requestId = new AsyncLocalStorage<>(name + ".requestId");
            user = new AsyncLocalStorage<>(name + ".user");
            propagation = BaggagePropagation.of(
                    PropagatedStorage.of(requestId, "requestId", Function.identity(),
                            value -> RequestIds.isValid(value) ? value : null),
                    PropagatedStorage.of(user, "user", User::name, User::parse).withMdcKey("user"));
            requestIds = RequestIdConfig.defaults().withStorage(requestId).withIdFromContext(true);
            client = propagation.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(clientThreads).connectTimeout(Duration.ofSeconds(10)).build());
            log = LoggerFactory.getLogger("service." + name);
        }

        /** The report line: what this service sees now, with {@code span} its own span. */
        String describe(Span span) {
            User current = user.getStore();
            ReadableSpan readable = (ReadableSpan) span;
            return name + " requestId=" + requestId.getStore() + " user=" + (current == null ? null : current.name())
                    + " trace=" + readable.getSpanContext().getTraceId()
                    + " parent=" + readable.getParentSpanContext().getSpanId();
        }

        HttpRequest get(URI uri) {
            return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build();
        }
    }

    /** Keeps every event, with its MDC and thread name fixed at the moment it was logged. */
    static final class LogRecorder extends AppenderBase<ILoggingEvent> {
        final List<ILoggingEvent> list = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            event.prepareForDeferredProcessing();
            list.add(event);
        }
    }

    final Service a = new Service("A");
    final Service b = new Service("B");
    final Service c = new Service("C");
    final LogRecorder logs = new LogRecorder();

    private final HttpServer serverA;
    private final HttpServer serverC;
    private final Server serverB;
    private final ExecutorService threadsA = Executors.newFixedThreadPool(4);
    private final ExecutorService threadsC = Executors.newSingleThreadExecutor();
    private final ExecutorService poolB = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
    private final ExecutorService poolC = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
    final URI uriA;
    final URI uriB;
    final URI uriC;

    ThreeServices() throws Exception {
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        logs.setContext(logback);
        logs.start();
        logback.getLogger("service").addAppender(logs);

        serverC = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverC.setExecutor(threadsC);
        install(serverC.createContext("/c", this::handleC), c);
        serverC.start();
        uriC = URI.create("http://127.0.0.1:" + serverC.getAddress().getPort() + "/c");

        QueuedThreadPool jettyThreads = new QueuedThreadPool(16, 4);
        jettyThreads.setName("jetty-B");
        serverB = new Server(jettyThreads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(64 * 1024);   // let oversized baggage reach the filter
        ServerConnector connector = new ServerConnector(serverB, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        serverB.addConnector(connector);
        ServletContextHandler root = new ServletContextHandler();
        root.setContextPath("/");
        for (FilterHolder holder : List.of(new FilterHolder(new ServletPropagationFilter(b.propagation)),
                new FilterHolder(new ServletRequestIdFilter(b.requestIds)))) {
            holder.setAsyncSupported(true);
            root.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        }
        ServletHolder servlet = new ServletHolder(new ServletB());
        servlet.setAsyncSupported(true);
        root.addServlet(servlet, "/b");
        serverB.setHandler(root);
        serverB.start();
        uriB = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/b");

        serverA = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverA.setExecutor(threadsA);
        install(serverA.createContext("/a", this::handleA), a);
        serverA.start();
        uriA = URI.create("http://127.0.0.1:" + serverA.getAddress().getPort() + "/a");
    }

    /** The propagation filter first, then the request-id filter that keeps an id from baggage. */
    private static void install(HttpContext context, Service service) {
        context.getFilters().add(HttpServerPropagationFilter.create(service.propagation));
        context.getFilters().add(HttpServerRequestIdFilter.create(service.requestIds));
    }

    private void handleA(HttpExchange exchange) {
        String authenticated = exchange.getRequestHeaders().getFirst("X-User");
        a.user.run(authenticated == null ? null : new User(authenticated), () -> {
            Span span = Tracing.TRACER.spanBuilder("A").startSpan();
            try (Scope ignored = span.makeCurrent()) {
                a.log.info("calling B");
                String mine = a.describe(span);
                a.client.sendAsync(a.get(uriB), BodyHandlers.ofString())
                        .thenApply(response -> {
                            a.log.info("B answered");
                            return mine + "\n" + response.body();
                        })
                        .whenComplete((body, failure) -> {
                            span.end();
                            respond(exchange, failure == null ? body : "A failed: " + failure);
                        });
            }
        });
    }

    private final class ServletB extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            AsyncContext async = request.startAsync();
            Span span = Tracing.TRACER.spanBuilder("B").startSpan();
            try (Scope ignored = span.makeCurrent()) {
                AsyncCompletableFuture.supplyAsync(() -> {
                    b.log.info("working");
                    return b.describe(span);
                }, poolB).thenCompose(mine -> b.client.sendAsync(b.get(uriC), BodyHandlers.ofString())
                        .thenApply(fromC -> mine + "\n" + fromC.body())
                ).whenComplete((body, failure) -> {
                    span.end();
                    try {
                        async.getResponse().setContentType("text/plain;charset=utf-8");
                        async.getResponse().getWriter().write(failure == null ? body : "B failed: " + failure);
                    } catch (IOException e) {
                        b.log.warn("cannot answer", e);
                    } finally {
                        async.complete();
                    }
                });
            }
        }
    }

    private void handleC(HttpExchange exchange) {
        poolC.execute(() -> {
            Span span = Tracing.TRACER.spanBuilder("C").startSpan();
            try (Scope ignored = span.makeCurrent()) {
                c.log.info("handling");
                String body = c.describe(span);
                span.end();
                respond(exchange, body);
            }
        });
    }

    private static void respond(HttpExchange exchange, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }

    @Override
    public void close() {
        serverA.stop(0);
        serverC.stop(0);
        try {
            serverB.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (ExecutorService pool : List.of(threadsA, threadsC, poolB, poolC, a.clientThreads, b.clientThreads, c.clientThreads)) {
            pool.shutdownNow();
        }
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("service").detachAppender(logs);
    }
}
