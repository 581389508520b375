package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The throughput benchmark's baseline: the demo server with no request context, which passes the
 * id by hand and so answers exactly as the usual server does.
 */
class DemoServerWithoutContextTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void answersWithTheIdItPassedByHandAndEntersNoContext() throws Exception {
        try (DemoServer server = DemoServer.startWithoutContext(0, Duration.ZERO)) {
            HttpResponse<String> response = get(server);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("request 0 answered\n");
            assertThat(response.headers().firstValue("X-Request-Id")).contains("0");
            // No context was entered on any of the server's threads, and none is left there.
            for (java.util.concurrent.ThreadPoolExecutor pool : server.pools()) {
                assertThat(pool.submit(dev.asynclocal.servers.RequestIds::current).get()).isNull();
            }
        }
    }

    @Test
    void theUsualServerAnswersWithItsId() throws Exception {
        // the contrast that makes the test above meaningful: with the filter the id reaches the answer
        try (DemoServer server = DemoServer.start(0, Propagation.WRAPPERS, Duration.ZERO)) {
            HttpResponse<String> response = get(server);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("request 0 answered\n");
            assertThat(response.headers().firstValue("X-Request-Id")).contains("0");
        }
    }

    private static HttpResponse<String> get(DemoServer server) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(server.uri()).timeout(TIMEOUT).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
