package dev.asynclocal.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example as a user runs it, on a random port, started once for the class: each answer and
 * each console line (Boot's own pattern with the example's {@code logging.pattern.correlation})
 * of the handler, the {@code @Async} method, the task on Boot's executor and the downstream call
 * carries its own request's id and tenant, also with requests in parallel.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class ExampleApplicationTest {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    /** Boot's console line: {@code ... [thread] [requestId tenant] logger : message}. */
    private static final Pattern LINE = Pattern.compile("\\[\\s*([^\\]]+)\\] \\[([^\\]]*)\\] \\S+\\s+: (.*)$");

    @LocalServerPort
    int port;

    HttpResponse<String> get(String path, String requestId, String baggage) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20));
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        if (baggage != null) {
            request.header("baggage", baggage);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The console lines about {@code order}: thread name and the bracketed {@code [requestId tenant]}. */
    static List<String[]> linesAbout(CapturedOutput output, String order) {
        List<String[]> lines = new ArrayList<>();
        for (String line : output.getOut().split("\\R")) {
            Matcher m = LINE.matcher(line);
            if (m.find() && m.group(3).endsWith(" order " + order)) {
                lines.add(new String[] {m.group(1).trim(), m.group(2), m.group(3)});
            }
        }
        return lines;
    }

    @Test
    void everyPartOfARequestSeesItsIdTenantAndUser(CapturedOutput output) throws Exception {
        HttpResponse<String> response = get("/orders/o-1", "ex-1", "tenant=acme,userId=u-7");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("ex-1");
        DocumentContext view = JsonPath.parse(response.body());
        assertThat(view.read("$.order", String.class)).isEqualTo("o-1");
        assertThat(view.read("$.requestId", String.class)).isEqualTo("ex-1");
        assertThat(view.read("$.tenant", String.class)).isEqualTo("acme");
        assertThat(view.read("$.user", String.class)).isEqualTo("u-7");
        assertThat(view.read("$.total", String.class)).isEqualTo("42.00 EUR");
        assertThat(view.read("$.shipping", String.class)).isEqualTo("2 days (estimated in request ex-1)");
        assertThat(view.read("$.stock", String.class)).isEqualTo("7 in stock for acme (request ex-1)");

        List<String[]> lines = linesAbout(output, "o-1");
        assertThat(lines).extracting(l -> l[2]).containsExactlyInAnyOrder(
                "looking up order o-1", "computing the total of order o-1", "estimating shipping of order o-1",
                "checking the stock of order o-1");
        assertThat(lines).allSatisfy(l -> assertThat(l[1]).as(l[2]).isEqualTo("ex-1 acme"));
        // the handler, the callee (two Tomcat threads) and Boot's executor (one or two of its threads)
        Set<String> threads = lines.stream().map(l -> l[0]).collect(Collectors.toSet());
        assertThat(threads).hasSizeGreaterThanOrEqualTo(3);
        assertThat(threads).anyMatch(t -> t.contains("task-"));
    }

    @Test
    void aRequestWithoutHeadersGetsAnIdThatTheWholeRequestShares(CapturedOutput output) throws Exception {
        HttpResponse<String> response = get("/orders/o-2", null, null);
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        DocumentContext view = JsonPath.parse(response.body());
        assertThat(view.read("$.requestId", String.class)).isEqualTo(id);
        assertThat(view.read("$.tenant", String.class)).isNull();
        assertThat(view.read("$.stock", String.class)).isEqualTo("7 in stock for null (request " + id + ")");
        assertThat(linesAbout(output, "o-2")).hasSize(4).allSatisfy(l -> assertThat(l[1]).isEqualTo(id + " "));
    }

    @Test
    void requestsInParallelEachKeepTheirOwn(CapturedOutput output) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        String id = "par-" + client + "-" + i;
                        String tenant = "t" + client + i;
                        DocumentContext view = JsonPath.parse(get("/orders/p" + client + i, id, "tenant=" + tenant).body());
                        if (!id.equals(view.read("$.requestId")) || !tenant.equals(view.read("$.tenant"))
                                || !("7 in stock for " + tenant + " (request " + id + ")").equals(view.read("$.stock"))
                                || !("2 days (estimated in request " + id + ")").equals(view.read("$.shipping"))) {
                            wrong.add(id + ": " + view.jsonString());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(wrong).isEmpty();
        for (int c = 0; c < 8; c++) {
            for (int i = 0; i < 5; i++) {
                String expected = "par-" + c + "-" + i + " t" + c + i;
                assertThat(linesAbout(output, "p" + c + i)).as("order p%d%d", c, i)
                        .hasSize(4).allSatisfy(l -> assertThat(l[1]).as(l[2]).isEqualTo(expected));
            }
        }
    }
}
