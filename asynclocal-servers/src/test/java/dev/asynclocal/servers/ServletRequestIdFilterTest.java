package dev.asynclocal.servers;

import java.time.Duration;
import org.awaitility.Awaitility;
import static dev.asynclocal.servers.ServerTestSupport.HEADER;
import static dev.asynclocal.servers.ServerTestSupport.assertEveryLogLineCarriesItsOwnId;
import static dev.asynclocal.servers.ServerTestSupport.drainLogLines;
import static dev.asynclocal.servers.ServerTestSupport.get;
import static dev.asynclocal.servers.ServerTestSupport.observe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;

/**
 * {@link ServletRequestIdFilter} in an embedded Jetty 12 (EE10, Servlet 6.0) on loopback, with
 * synchronous and asynchronous servlets, driven by {@link HttpClient}.
 */
class ServletRequestIdFilterTest {
    private static final int APP_THREADS = 4;
    /** An application's own storage, set inside the request: it must follow start and dispatch too. */
    private static final AsyncLocalStorage<String> TENANT = new AsyncLocalStorage<>("tenant");

    private static Server server;
    private static QueuedThreadPool jettyThreads;
    /** The application's threads; future stages and the unbound dispatch use them directly. */
    private static ExecutorService appThreads;
    /** The same threads as the application submits to them: propagating. */
    private static ExecutorService appPool;
    private static HttpClient client;
    private static URI base;
    /** Dispatches that reached the container while the thread still held some context. */
    private static final AtomicInteger dirtyArrivals = new AtomicInteger();
    /** Requests after which the container thread, back in the outermost filter, still held some context. */
    private static final AtomicInteger dirtyDepartures = new AtomicInteger();
    /** Request id, as the filter's attribute says → what the AsyncListener saw on completion. */
    private static final Map<String, String> listenerSaw = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        appThreads = Executors.newFixedThreadPool(APP_THREADS);
        appPool = AsyncExecutors.wrap(appThreads);
        jettyThreads = new QueuedThreadPool(32, 8);
        jettyThreads.setName("jetty");
        server = new Server(jettyThreads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        ServletContextHandler root = new ServletContextHandler();
        root.setContextPath("/");
        addFilters(root, new FilterHolder(new ServletRequestIdFilter()));
        root.addServlet(new ServletHolder(new HopsServlet()), "/hops");
        root.addServlet(new ServletHolder(new EnterWithServlet()), "/enter-with");
        ServletHolder async = new ServletHolder(new AsyncServlet());
        async.setAsyncSupported(true);
        root.addServlet(async, "/async/*");

        ServletContextHandler custom = new ServletContextHandler();
        custom.setContextPath("/custom");
        FilterHolder configured = new FilterHolder(ServletRequestIdFilter.class);
        configured.setInitParameter("header", "X-Trace-Id");
        configured.setInitParameter("mdcKey", "");
        addFilters(custom, configured);
        custom.addServlet(new ServletHolder(new HopsServlet()), "/hops");

        server.setHandler(new ContextHandlerCollection(root, custom));
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        client = ServerTestSupport.newClient();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        appThreads.shutdownNow();
    }

    private static void addFilters(ServletContextHandler context, FilterHolder requestIdFilter) {
        EnumSet<DispatcherType> types = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
        FilterHolder sentinel = new FilterHolder(new Filter() {
            @Override
            public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                    throws IOException, ServletException {
                if (RequestIds.current() != null || TENANT.getStore() != null || MDC.get("requestId") != null) {
                    dirtyArrivals.incrementAndGet();
                }
                chain.doFilter(request, response);
                // Whatever the request did (enterWith included), it ended with the request-id filter.
                if (RequestIds.current() != null || TENANT.getStore() != null || MDC.get("requestId") != null) {
                    dirtyDepartures.incrementAndGet();
                }
            }
        });
        sentinel.setAsyncSupported(true);
        context.addFilter(sentinel, "/*", types);
        requestIdFilter.setAsyncSupported(true);
        context.addFilter(requestIdFilter, "/*", types);
    }

    private static String idOf(ServletRequest request) {
        return (String) request.getAttribute(ServletRequestIdFilter.REQUEST_ID_ATTRIBUTE);
    }

    private static void write(ServletResponse response, List<String> seen) throws IOException {
        response.setContentType("text/plain");
        byte[] body;
        synchronized (seen) {
            body = String.join(" ", seen).getBytes(StandardCharsets.UTF_8);
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** Sets the application's storage with enterWith, which nothing undoes before the request ends. */
    static final class EnterWithServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            TENANT.enterWith(idOf(request));
            write(response, List.of(TENANT.getStore()));
        }
    }

    /** Observes the id on the container thread, after an executor hop and in a future stage. */
    static final class HopsServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String id = idOf(request);
            List<String> seen = new ArrayList<>();
            seen.add(observe(id, "servlet"));
            try {
                seen.add(appPool.submit(() -> observe(id, "pool")).get(20, TimeUnit.SECONDS));
                // registered here: the stage runs in the request's context whichever thread runs it
                seen.add(AsyncCompletableFuture.supplyAsync(() -> 0, appThreads)
                        .thenApplyAsync(x -> observe(id, "stage"), appThreads)
                        .get(20, TimeUnit.SECONDS));
            } catch (Exception e) {
                seen.add("failed:" + e);
            }
            write(response, seen);
        }
    }

    /**
     * {@code /async/dispatch}: startAsync, {@code AsyncContext.start}, a propagating app-pool hop, then
     * {@code dispatch()} back into the servlet, which writes what every step saw.
     * {@code /async/dispatch-unbound}: the same, but {@code dispatch()} is called from an unbound
     * task, so only the filter's own knowledge of the id is left.
     * {@code /async/complete}: {@code AsyncContext.start} writes and completes.
     * Each registers a listener that records what it sees on completion.
     */
    static final class AsyncServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        @SuppressWarnings("unchecked")
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String id = idOf(request);
            String mode = request.getPathInfo();
            if (request.getDispatcherType() == DispatcherType.ASYNC) {
                List<String> seen = (List<String>) request.getAttribute("seen");
                seen.add(observe(id, "dispatched"));
                seen.add(mode.equals("/dispatch") ? TENANT.getStore() : id);
                write(response, seen);
                return;
            }
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            request.setAttribute("seen", seen);
            seen.add(observe(id, "servlet"));
            TENANT.run(id, () -> {
                AsyncContext async = request.startAsync();
                async.addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        listenerSaw.put(id, RequestIds.current() + " " + MDC.get("requestId") + " " + TENANT.getStore());
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                    }
                });
                async.start(() -> {
                    seen.add(observe(id, "start"));
                    seen.add(TENANT.getStore());
                    switch (mode) {
                        case "/dispatch":
                            appPool.execute(() -> {
                                seen.add(observe(id, "pool"));
                                async.dispatch();
                            });
                            break;
                        case "/dispatch-unbound":
                            // the plain threads: this dispatch must come from outside the context
                            appThreads.execute(async::dispatch);
                            break;
                        default:
                            try {
                                write(async.getResponse(), seen);
                            } catch (IOException e) {
                                seen.add("failed:" + e);
                            }
                            async.complete();
                    }
                });
            });
        }
    }

    /**
     * 8 clients × 25 requests whose servlet calls {@code enterWith}: the store is the request's own
     * inside, and never visible on the container thread after the request, nor on any idle thread.
     */
    @Test
    void enterWithInsideARequestIsNeverVisibleAfterItEnds() throws Exception {
        int requests = ServerTestSupport.runConcurrentClients(client, base.resolve("/enter-with"), 8, 25);
        assertThat(requests).isEqualTo(200);
        assertThat(dirtyArrivals.get()).isZero();
        assertThat(dirtyDepartures.get()).isZero();
        assertThat(whatIdleThreadsHold(jettyThreads, 64)).isNotEmpty().containsOnly("null null null");
    }

    @Test
    void theClientsIdIsUsedEverywhereAndReturned() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/hops"), HEADER, "order-42");
        assertThat(reply.status).isEqualTo(200);
        assertThat(reply.id).isEqualTo("order-42");
        assertThat(reply.tokens).hasSize(6).containsOnly("order-42");
    }

    @Test
    void anIdIsGeneratedWhenTheHeaderIsAbsent() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/hops"), HEADER, null);
        assertThat(reply.id).matches("[0-9a-f]{32}");
        assertThat(reply.tokens).hasSize(6).containsOnly(reply.id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "tab\tinside",
        "a-129-character-id-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void aMalformedIdIsReplacedNotRejected(String malformed) throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/hops"), HEADER, malformed);
        assertThat(reply.status).isEqualTo(200);
        assertThat(reply.id).matches("[0-9a-f]{32}");
        assertThat(reply.tokens).hasSize(6).containsOnly(reply.id);
    }

    @ParameterizedTest
    // Jetty itself answers 400 to control characters (DEL included) before any filter runs
    @ValueSource(strings = {"caf\u00e9", "nbsp\u00a0", "\u00ff"})
    void aHeaderWithBytesOutsideVisibleAsciiIsReplaced(String malformed) throws Exception {
        assertThat(ServerTestSupport.rawGetId(base, "/hops", HEADER, malformed)).matches("[0-9a-f]{32}");
    }

    @Test
    void theContextFollowsStartAndDispatch() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/async/dispatch"), HEADER, "a-1");
        assertThat(reply.id).isEqualTo("a-1");
        // servlet (id, mdc), start (id, mdc, tenant), pool (id, mdc), dispatched (id, mdc, tenant)
        assertThat(reply.tokens).hasSize(10).containsOnly("a-1");
        assertListenerSaw("a-1", "a-1 a-1 a-1");
    }

    @Test
    void aDispatchFromOutsideTheContextStillRunsWithTheRequestsId() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/async/dispatch-unbound"), HEADER, "a-2");
        assertThat(reply.id).isEqualTo("a-2");
        assertThat(reply.tokens).hasSize(8).containsOnly("a-2");
    }

    @Test
    void theContextFollowsStartAndComplete() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/async/complete"), HEADER, "a-3");
        assertThat(reply.id).isEqualTo("a-3");
        assertThat(reply.tokens).hasSize(5).containsOnly("a-3");
        assertListenerSaw("a-3", "a-3 a-3 a-3");
    }

    @Test
    void initParametersConfigureHeaderAndMdc() throws Exception {
        ServerTestSupport.Reply reply = get(client, base.resolve("/custom/hops"), "X-Trace-Id", "t-7");
        assertThat(reply.id).isEqualTo("t-7");
        // the default storage holds the id, the MDC does not (mdcKey is empty)
        assertThat(reply.tokens).containsExactly("t-7", "null", "t-7", "null", "t-7", "null");
        assertThat(get(client, base.resolve("/custom/hops"), HEADER, "ignored").tokens.get(0))
                .matches("[0-9a-f]{32}");
    }

    /**
     * 16 clients × 100 requests on each of a synchronous servlet and an asynchronous one
     * (start, pool hop, dispatch). Race checked: a container or pool thread switching between
     * requests never shows another request's id in the response, in a log line or in a listener.
     * No request or dispatch arrives on a thread holding a context, and afterwards the idle
     * container threads hold none.
     */
    @Test
    void concurrentRequestsEachSeeOnlyTheirOwnId() throws Exception {
        drainLogLines();
        int sync = ServerTestSupport.runConcurrentClients(client, base.resolve("/hops"), 16, 100);
        assertEveryLogLineCarriesItsOwnId(drainLogLines(), sync * 3);

        listenerSaw.clear();
        int async = ServerTestSupport.runConcurrentClients(client, base.resolve("/async/dispatch"), 16, 100);
        assertEveryLogLineCarriesItsOwnId(drainLogLines(), async * 4);
        awaitListeners(async);
        assertThat(listenerSaw).allSatisfy((id, saw) -> assertThat(saw).isEqualTo(id + " " + id + " " + id));

        assertThat(dirtyArrivals.get()).isZero();
        assertThat(dirtyDepartures.get()).isZero();
        List<String> idle = whatIdleThreadsHold(jettyThreads, 64);
        assertThat(idle).isNotEmpty().containsOnly("null null null");
    }

    private static void assertListenerSaw(String id, String expected) throws InterruptedException {
        Awaitility.await("the listener of " + id).pollInSameThread().atMost(Duration.ofSeconds(10))
                .until(() -> listenerSaw.containsKey(id));
        assertThat(listenerSaw.get(id)).isEqualTo(expected);
    }

    private static void awaitListeners(int count) throws InterruptedException {
        Awaitility.await(count + " listeners").pollInSameThread().atMost(Duration.ofSeconds(20))
                .until(() -> listenerSaw.size() >= count);
        assertThat(listenerSaw).hasSize(count);
    }

    /**
     * Occupies the pool's free threads one by one with probes that block until all are placed,
     * and returns what each saw. Stops when a probe does not start within half a second (no free
     * thread left) or after {@code maxProbes}.
     */
    static List<String> whatIdleThreadsHold(Executor executor, int maxProbes) throws InterruptedException {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < maxProbes; i++) {
                CountDownLatch started = new CountDownLatch(1);
                executor.execute(() -> {
                    seen.add(RequestIds.current() + " " + MDC.get("requestId") + " " + TENANT.getStore());
                    started.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                if (!started.await(500, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } finally {
            release.countDown();
        }
        synchronized (seen) {
            return new ArrayList<>(seen);
        }
    }
}
