package dev.asynclocal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.spring.boot.mvcapp.MvcApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.task.AsyncTaskExecutor;

/**
 * A real Spring MVC application on Tomcat, on a random port, started once for the class: every
 * way a request's work leaves the request thread must see that request's id, MDC entry and tenant,
 * and nothing else; the scheduler must see no request at all.
 */
@SpringBootTest(classes = MvcApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "asynclocal.propagated=tenant",
            "management.endpoints.web.exposure.include=asynclocal",
            "spring.task.execution.pool.core-size=8",
            "server.tomcat.threads.max=32"
        })
class ServletStarterTest {
    static final int CLIENTS = 16;
    static final int REQUESTS_PER_CLIENT = Integer.getInteger("asynclocal.spring.requests", 600);

    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    MvcApplication.Ticker ticker;

    HttpResponse<String> get(String path, String requestId, String tenant) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20));
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        if (tenant != null) {
            request.header("baggage", "tenant=" + tenant);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String expected(String id, String tenant) {
        return id + "|" + id + "|" + tenant;
    }

    @Test
    void theHandlerSeesTheRequestsIdMdcAndTenant() throws Exception {
        HttpResponse<String> response = get("/seen", "req-1", "acme");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(expected("req-1", "acme"));
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-1");
    }

    @Test
    void aRequestWithoutHeadersGetsANewIdAndNoTenant() throws Exception {
        HttpResponse<String> response = get("/seen", null, null);
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).isNotBlank();
        assertThat(response.body()).isEqualTo(expected(id, "null"));
    }

    @Test
    void malformedHeadersAreDroppedNotFatal() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/seen"))
                .header("X-Request-Id", "bad id with spaces")
                .header("baggage", "tenant=%%%;;==,=,")
                .header("traceparent", "00-garbage")
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).isNotEqualTo("bad id with spaces");
        assertThat(response.body()).startsWith(id + "|" + id + "|");
    }

    @Test
    void asyncMethodsEventListenersAndExecutorTasksSeeTheRequest() throws Exception {
        String body = get("/hops", "req-hops", "globex").body();
        String one = expected("req-hops", "globex");
        assertThat(body).isEqualTo(String.join(",", one, one, one, one));
    }

    @Test
    void deferredResultCallableCompletableFutureAndStreamingReturnValues() throws Exception {
        for (String path : List.of("/deferred", "/callable", "/future", "/streaming")) {
            HttpResponse<String> response = get(path, "req-" + path.substring(1), "initech");
            assertThat(response.body()).as(path).isEqualTo(expected("req-" + path.substring(1), "initech"));
            assertThat(response.headers().firstValue("X-Request-Id")).as(path).hasValue("req-" + path.substring(1));
        }
    }

    @Test
    void restClientSendsTheRequestIdAndTenantAsBaggage() throws Exception {
        String body = get("/call", "req-call", "umbrella").body();
        // The callee gets the caller's id through baggage (no X-Request-Id was sent) and its tenant.
        assertThat(body).isEqualTo(expected("req-call", "umbrella") + ">" + expected("req-call", "umbrella"));
    }

    @Test
    void enterWithInAHandlerStaysInThatRequest() throws Exception {
        assertThat(get("/enter?tenant=late", "req-enter", null).body()).isEqualTo(expected("req-enter", "late"));
        // Tomcat reuses its threads: many plain requests after it must not see the tenant.
        for (int i = 0; i < 200; i++) {
            assertThat(get("/seen", "after-" + i, null).body()).isEqualTo(expected("after-" + i, "null"));
        }
    }

    @Test
    void actuatorEndpointListsTheStores() throws Exception {
        HttpResponse<String> response = get("/actuator/asynclocal", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"key\":\"requestId\"", "\"key\":\"tenant\"",
                "\"agentInstalled\":" + agentExpected(), "\"detectorEnabled\"");
    }

    boolean agentExpected() {
        return false;
    }

    @Autowired
    @Qualifier("applicationTaskExecutor")
    AsyncTaskExecutor executor;

    @Autowired
    MvcApplication.Worker worker;

    @Autowired
    MvcApplication.Listener listener;

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    DeclaredStores stores;

    /**
     * The async resources (a hook's {@code init} callbacks) that {@code submission} creates on
     * this thread, run with the tenant store set to {@code tenant}; {@code seen} gets what the
     * submitted work saw.
     */
    List<String> resourcesCreated(String tenant, Callable<String> submission,
            AtomicReference<String> seen) throws Exception {
        Thread me = Thread.currentThread();
        List<String> created = new CopyOnWriteArrayList<>();
        AsyncHook hook = AsyncHooks.createHook(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (Thread.currentThread() == me) {
                    created.add(type);
                }
            }
        }).enable();
        try {
            seen.set(stores.storage("tenant").run(tenant, submission::call));
        } finally {
            hook.disable();
        }
        return created;
    }

    /** One way of handing work to an executor, on Boot's decorated executor and on a plain JDK pool. */
    record Submission(String name, Callable<String> onBootsExecutor, Callable<String> onAPlainPool) {
    }

    /**
     * No double capture: every way of handing work to Boot's executor captures the submitter's
     * context once at the pool, by the task decorator ({@code Snapshot}). Under the agent
     * (ServletStarterIT), which captures every JDK pool task itself ({@code Executor}), the pool
     * passes the decorator's capture through, so each submission creates exactly the async
     * resources that the same submission to a plain JDK pool creates: one for a task, and for a
     * CompletableFuture task ({@code submitCompletable}, an {@code @Async} method returning a
     * future) also the agent's capture of the callback ({@code CompletableFuture}), which the agent
     * makes on any pool.
     */
    @Test
    void eachSubmissionToBootsExecutorIsCapturedOnceAtThePool() throws Exception {
        ThreadPoolExecutor plain = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        try {
            List<Submission> submissions = List.of(
                    new Submission("execute", () -> executeAndWait(executor), () -> executeAndWait(plain)),
                    new Submission("submit",
                            () -> executor.submit(() -> MvcApplication.seen(stores)).get(10, TimeUnit.SECONDS),
                            () -> plain.submit(() -> MvcApplication.seen(stores)).get(10, TimeUnit.SECONDS)),
                    new Submission("submitCompletable",
                            () -> executor.submitCompletable(() -> MvcApplication.seen(stores)).get(10, TimeUnit.SECONDS),
                            () -> CompletableFuture.supplyAsync(() -> MvcApplication.seen(stores), plain)
                                    .get(10, TimeUnit.SECONDS)),
                    new Submission("@Async method returning a CompletableFuture",
                            () -> worker.asyncSeen().get(10, TimeUnit.SECONDS),
                            () -> CompletableFuture.supplyAsync(() -> MvcApplication.seen(stores), plain)
                                    .get(10, TimeUnit.SECONDS)),
                    new Submission("@Async event listener", () -> {
                        String key = "captured-once#" + System.nanoTime();
                        events.publishEvent(new MvcApplication.Published(key, null));
                        return listener.await(key);
                    }, () -> plain.submit(() -> MvcApplication.seen(stores)).get(10, TimeUnit.SECONDS)));
            for (Submission submission : submissions) {
                AtomicReference<String> seen = new AtomicReference<>();
                List<String> created = resourcesCreated("once", submission.onBootsExecutor(), seen);
                assertThat(seen.get()).as(submission.name()).isEqualTo("null|null|once");
                // captured once at the pool, by the decorator; never by the agent on top of it
                assertThat(created).as(submission.name()).containsOnlyOnce("Snapshot").doesNotContain("Executor");
                if (!agentExpected()) {
                    assertThat(created).as(submission.name()).hasSize(1);
                } else {
                    List<String> plainCreated = resourcesCreated("once", submission.onAPlainPool(), seen);
                    assertThat(seen.get()).as(submission.name() + " on a plain pool").isEqualTo("null|null|once");
                    assertThat(created).as(submission.name() + ": as many as on a plain pool " + plainCreated)
                            .hasSameSizeAs(plainCreated);
                }
            }
        } finally {
            plain.shutdownNow();
        }
    }

    private String executeAndWait(Executor pool) throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        pool.execute(() -> result.complete(MvcApplication.seen(stores)));
        return result.get(10, TimeUnit.SECONDS);
    }

    /**
     * What a CompletableFuture stage on Boot's executor sees. With the agent: the context it was
     * registered in, whichever context completes the future (so the decorator, which leaves such
     * tasks to the agent, changes nothing). Without it: the context of the code that hands the
     * stage's task to the executor, as the decorator binds it.
     */
    @Test
    void completableFutureStagesOnBootsExecutorSeeWhatTheirModeSays() throws Exception {
        AsyncLocalStorage<String> tenant = stores.storage("tenant");
        CompletableFuture<String> trigger = new CompletableFuture<>();
        CompletableFuture<String> registeredInA = tenant.run("A",
                () -> trigger.thenApplyAsync(x -> String.valueOf(tenant.getStore()), executor));
        tenant.run("B", () -> trigger.complete("go"));
        assertThat(registeredInA.get(10, TimeUnit.SECONDS)).isEqualTo(agentExpected() ? "A" : "B");

        CountDownLatch gate = new CountDownLatch(1);
        CompletableFuture<Integer> submitted = tenant.run("S",
                () -> executor.submitCompletable(() -> {
                    gate.await();
                    return 1;
                }));
        CompletableFuture<String> dependentInC = tenant.run("C",
                () -> submitted.thenApply(x -> String.valueOf(tenant.getStore())));
        gate.countDown();
        assertThat(dependentInC.get(10, TimeUnit.SECONDS)).isEqualTo(agentExpected() ? "C" : "S");
    }

    /**
     * The load test: 16 clients at once, each request with its own id and tenant (a third with no
     * tenant), through every hop; each answer must carry exactly its own values, and the
     * scheduler, ticking all along, must never see a request.
     */
    @Test
    void underLoadEveryRequestSeesExactlyItsOwnContext() throws Exception {
        List<String> paths = List.of("/seen", "/hops", "/deferred", "/callable", "/future", "/call");
        int ticksBefore = ticker.ticks;
        ch.qos.logback.classic.Logger hops = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("mvcapp.hops");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        hops.addAppender(lines);
        List<String> mismatches = LoadClients.run(CLIENTS, REQUESTS_PER_CLIENT, (client, i) -> {
            String id = "c" + client + "-r" + i;
            String tenant = i % 3 == 0 ? null : "t" + client + "x" + i;
            String path = paths.get((client + i) % paths.size());
            String one = expected(id, String.valueOf(tenant));
            String want = switch (path) {
                case "/hops" -> String.join(",", one, one, one, one);
                case "/call" -> one + ">" + one;
                default -> one;
            };
            return new LoadClients.Request(path, id, tenant, want);
        }, request -> get(request.path(), request.id(), request.tenant()).body());
        assertThat(mismatches).isEmpty();
        hops.detachAppender(lines);
        // Every line of every hop (handler, @Async method, @Async listener, executor task) carries
        // in its MDC the id of the request it was written for: 4 lines per /hops request.
        List<ch.qos.logback.classic.spi.ILoggingEvent> events = List.copyOf(lines.list);
        long hopsRequests = (long) CLIENTS * REQUESTS_PER_CLIENT / paths.size();
        assertThat(events).hasSize((int) hopsRequests * 4);
        assertThat(events).allSatisfy(event -> assertThat(event.getMDCPropertyMap().get("requestId"))
                .as(event.getFormattedMessage()).isEqualTo(event.getArgumentArray()[0]));
        assertThat(ticker.ticks).isGreaterThan(ticksBefore);
        assertThat(ticker.leaks).isEmpty();
    }
}
