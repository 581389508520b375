package dev.asynclocal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.spring.boot.mvcapp.MvcApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

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
