package dev.asynclocal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.spring.boot.webfluxapp.WebFluxApplication;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A real WebFlux application on Reactor Netty, on a random port: the request's context must reach
 * the handler and every operator after a thread hop, reach the callee of a {@code WebClient} call,
 * and never stay on an event-loop thread.
 */
@SpringBootTest(classes = WebFluxApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"asynclocal.propagated=tenant", "spring.main.web-application-type=reactive"})
class WebFluxStarterTest {
    static final int CLIENTS = 16;
    static final int REQUESTS_PER_CLIENT = Integer.getInteger("asynclocal.spring.requests", 600);

    @LocalServerPort
    int port;

    /**
     * One request with {@code HttpURLConnection} on a connection of its own. Reusing kept-alive
     * connections against Reactor Netty left some requests unanswered under load on two cores (the
     * JDK's {@code HttpClient} and a kept-alive {@code HttpURLConnection} alike, and the same with
     * every asynclocal auto-configuration excluded: measured), so the load would test that instead
     * of the context.
     */
    Response get(String path, String requestId, String tenant) throws java.io.IOException {
        java.net.HttpURLConnection connection =
                (java.net.HttpURLConnection) URI.create("http://localhost:" + port + path).toURL().openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(20_000);
        connection.setRequestProperty("Connection", "close");
        if (requestId != null) {
            connection.setRequestProperty("X-Request-Id", requestId);
        }
        if (tenant != null) {
            connection.setRequestProperty("baggage", "tenant=" + tenant);
        }
        int status = connection.getResponseCode();
        java.io.InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
        String body = in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Response(status, body, connection.getHeaderField("X-Request-Id"));
    }

    record Response(int statusCode, String body, String requestId) {
    }

    static String expected(String id, String tenant) {
        return id + "|" + id + "|" + tenant;
    }

    @Test
    void theHandlerSeesTheRequestsIdMdcAndTenant() throws Exception {
        Response response = get("/seen", "flux-1", "acme");
        assertThat(response.body()).isEqualTo(expected("flux-1", "acme"));
        assertThat(response.requestId()).isEqualTo("flux-1");
    }

    @Test
    void aRequestWithoutHeadersGetsANewId() throws Exception {
        Response response = get("/seen", null, null);
        String id = response.requestId();
        assertThat(response.body()).isEqualTo(expected(id, "null"));
    }

    @Test
    void operatorsAfterThreadHopsSeeTheRequest() throws Exception {
        String one = expected("flux-hops", "globex");
        assertThat(get("/hops", "flux-hops", "globex").body()).isEqualTo(one + "," + one + "," + one);
    }

    @Test
    void webClientSendsTheRequestIdAndTenant() throws Exception {
        String one = expected("flux-call", "umbrella");
        assertThat(get("/call", "flux-call", "umbrella").body()).isEqualTo(one + ">" + one);
    }

    @Test
    void enterWithInAHandlerDoesNotReachOtherRequests() throws Exception {
        assertThat(get("/enter", "flux-enter", null).statusCode()).isEqualTo(200);
        for (int i = 0; i < 200; i++) {
            assertThat(get("/hops", "after-" + i, null).body()).doesNotContain("entered");
        }
    }

    /**
     * The load test: 16 clients at once through every endpoint; each answer must carry exactly its
     * own request's values, and every line that {@code /hops} writes (in the handler, after
     * {@code subscribeOn}, after {@code delayElement}, after {@code publishOn}: four per request)
     * must carry its own request's id in the MDC.
     */
    @Test
    void underLoadEveryRequestSeesExactlyItsOwnContext() throws Exception {
        List<String> paths = List.of("/seen", "/hops", "/call");
        ch.qos.logback.classic.Logger hops = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("webfluxapp.hops");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        hops.addAppender(lines);
        try {
            load(paths, REQUESTS_PER_CLIENT);
        } finally {
            hops.detachAppender(lines);
        }
        List<ch.qos.logback.classic.spi.ILoggingEvent> events = List.copyOf(lines.list);
        long hopsRequests = (long) CLIENTS * REQUESTS_PER_CLIENT / paths.size();
        assertThat(events).hasSize((int) hopsRequests * 4);
        assertThat(events).allSatisfy(event -> assertThat(event.getMDCPropertyMap().get("requestId"))
                .as(event.getFormattedMessage()).isEqualTo(event.getArgumentArray()[0]));
    }

    private void load(List<String> paths, int requestsPerClient) throws Exception {
        List<String> mismatches = LoadClients.run(CLIENTS, requestsPerClient, (client, i) -> {
            String id = "f" + client + "-r" + i;
            String tenant = i % 3 == 0 ? null : "t" + client + "x" + i;
            String path = paths.get((client + i) % paths.size());
            String one = expected(id, String.valueOf(tenant));
            String want = switch (path) {
                case "/hops" -> one + "," + one + "," + one;
                case "/call" -> one + ">" + one;
                default -> one;
            };
            return new LoadClients.Request(path, id, tenant, want);
        }, request -> get(request.path(), request.id(), request.tenant()).body());
        assertThat(mismatches).isEmpty();
    }
}
