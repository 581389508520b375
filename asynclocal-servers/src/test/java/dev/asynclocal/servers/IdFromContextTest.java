package dev.asynclocal.servers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asynclocal.AsyncLocalStorage;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestIdConfig#withIdFromContext}: a filter earlier in the chain (here a stand-in for the
 * W3C baggage filter of asynclocal-opentelemetry) puts an id in the storage, or clears it, from
 * the header {@code X-Upstream}; the request-id filter keeps that id only when told to.
 */
class IdFromContextTest {
    private static final AsyncLocalStorage<String> ID = new AsyncLocalStorage<>("id");
    private static HttpServer server;
    private static HttpClient client;
    private static URI base;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        RequestIdConfig config = RequestIdConfig.defaults().withStorage(ID).withMdcKey(null);
        install("/keep", HttpServerRequestIdFilter.create(config.withIdFromContext(true)));
        install("/default", HttpServerRequestIdFilter.create(config));
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static void install(String path, Filter requestIds) {
        var filters = server.createContext(path, IdFromContextTest::echo).getFilters();
        filters.add(new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                String upstream = exchange.getRequestHeaders().getFirst("X-Upstream");
                ID.<Void, IOException>run(upstream, () -> {
                    chain.doFilter(exchange);
                    return null;
                });
            }

            @Override
            public String description() {
                return "sets the id storage from X-Upstream";
            }
        });
        filters.add(requestIds);
    }

    private static void echo(HttpExchange exchange) throws IOException {
        byte[] body = String.valueOf(ID.getStore()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    /** The id header of a response and its body: the storage's value as the handler saw it. */
    private record Reply(String id, String body) {
    }

    private static Reply get(String path, String upstream, String header) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(base.resolve(path));
        if (upstream != null) {
            request.header("X-Upstream", upstream);
        }
        if (header != null) {
            request.header(RequestIds.DEFAULT_HEADER, header);
        }
        var response = client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new Reply(response.headers().firstValue(RequestIds.DEFAULT_HEADER).orElse(null), response.body());
    }

    @Test
    void anIdAlreadyInTheStorageIsKeptWhenEnabled() throws Exception {
        Reply reply = get("/keep", "up-1", null);
        assertThat(reply.id()).isEqualTo("up-1");
        assertThat(reply.body()).isEqualTo("up-1");
    }

    @Test
    void aValidHeaderStillWins() throws Exception {
        assertThat(get("/keep", "up-2", "hdr-2").body()).isEqualTo("hdr-2");
    }

    @Test
    void anInvalidIdInTheStorageIsReplaced() throws Exception {
        Reply reply = get("/keep", "has space", null);
        assertThat(reply.id()).matches("[0-9a-f]{32}");
        assertThat(reply.body()).isEqualTo(reply.id());
    }

    @Test
    void nothingInTheStorageMeansANewId() throws Exception {
        assertThat(get("/keep", null, null).id()).matches("[0-9a-f]{32}");
    }

    @Test
    void offByDefault() throws Exception {
        assertThat(RequestIdConfig.defaults().idFromContext()).isFalse();
        Reply reply = get("/default", "up-3", null);
        assertThat(reply.id()).matches("[0-9a-f]{32}");
        assertThat(reply.body()).isEqualTo(reply.id());
    }

    @Test
    void theSettingSurvivesTheOtherWithers() {
        RequestIdConfig config = RequestIdConfig.defaults().withIdFromContext(true)
                .withHeader("X-A").withStorage(ID).withMdcKey("a").withGenerator(() -> "g");
        assertThat(config.idFromContext()).isTrue();
        assertThat(config.toString()).contains("idFromContext");
        assertThat(config.withIdFromContext(false).idFromContext()).isFalse();
    }

    @Test
    void theServletFilterReadsItFromAnInitParameter() throws Exception {
        ServletRequestIdFilter filter = new ServletRequestIdFilter();
        filter.init(config(Map.of("idFromContext", "true")));
        assertThat(filter.config().idFromContext()).isTrue();
        filter.init(config(Map.of("idFromContext", " false ")));
        assertThat(filter.config().idFromContext()).isFalse();
    }

    private static FilterConfig config(Map<String, String> parameters) {
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "requestIds";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return parameters.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(parameters.keySet());
            }
        };
    }
}
