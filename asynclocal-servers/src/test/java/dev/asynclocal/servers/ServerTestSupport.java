package dev.asynclocal.servers;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the server tests share: an HTTP client, a real Logback appender that records
 * {@code %X{requestId}|message}, and the checks.
 *
 * <p>The applications in these tests hop the way real ones do: through executors wrapped by
 * {@code AsyncExecutors.wrap} and stages of {@code AsyncCompletableFuture}s.
 */
final class ServerTestSupport {
    static final Logger LOG = LoggerFactory.getLogger("scenario");
    static final String HEADER = RequestIds.DEFAULT_HEADER;

    private static final ByteArrayOutputStream LOG_OUT = new ByteArrayOutputStream();

    static {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%X{requestId}|%m%n");
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("memory");
        appender.setEncoder(encoder);
        appender.setOutputStream(LOG_OUT);
        appender.start();
        context.getLogger("scenario").addAppender(appender);
    }

    private ServerTestSupport() {
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** A response: status, the id header, and the body's whitespace-separated tokens. */
    static final class Reply {
        final int status;
        final String id;
        final List<String> tokens;

        Reply(int status, String id, List<String> tokens) {
            this.status = status;
            this.id = id;
            this.tokens = tokens;
        }

        @Override
        public String toString() {
            return status + " " + id + " " + tokens;
        }
    }

    static Reply get(HttpClient client, URI uri, String header, String value) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
        if (value != null) {
            request.header(header, value);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String body = response.body().trim();
        return new Reply(response.statusCode(), response.headers().firstValue(header).orElse(null),
                body.isEmpty() ? List.of() : Arrays.asList(body.split("\\s+")));
    }

    /**
     * Sends a request with a header line written as raw ISO-8859-1 bytes, for values that
     * {@link HttpClient} refuses to send or would re-encode; returns the id header of the reply.
     */
    static String rawGetId(URI base, String path, String header, String value) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                    + header + ": " + value + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            for (String line : response.split("\r\n")) {
                if (line.regionMatches(true, 0, header + ":", 0, header.length() + 1)) {
                    return line.substring(header.length() + 1).trim();
                }
                if (line.isEmpty()) {
                    break;
                }
            }
            return null;
        }
    }

    /**
     * What the current code sees, for the body: the request id in the default storage and the
     * MDC value, and a log line whose message starts with {@code knownId}.
     */
    static String observe(String knownId, String where) {
        LOG.info("{} {}", knownId, where);
        return RequestIds.current() + " " + MDC.get(RequestIds.DEFAULT_MDC_KEY);
    }

    static List<String> drainLogLines() {
        synchronized (LOG_OUT) {
            String text = LOG_OUT.toString(StandardCharsets.UTF_8);
            LOG_OUT.reset();
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
        }
    }

    /** Every line's {@code %X{requestId}} equals the id its message starts with. */
    static void assertEveryLogLineCarriesItsOwnId(List<String> lines, int expected) {
        List<String> mismatches = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.split("\\|", 2);
            String fromMessage = parts.length < 2 ? "<none>" : parts[1].split(" ", 2)[0];
            if (!parts[0].equals(fromMessage)) {
                mismatches.add(line);
            }
        }
        assertThat(mismatches).as("log lines whose MDC id is not their request's").isEmpty();
        assertThat(lines).hasSize(expected);
    }

    /**
     * {@code clients} threads each send {@code perClient} requests: most with an id of their own,
     * every tenth without one, every tenth (offset 5) with a malformed one. Each reply must carry
     * one id, on the header and in every body token, equal to the id sent when that was valid.
     *
     * @return the number of replies checked
     */
    static int runConcurrentClients(HttpClient client, URI uri, int clients, int perClient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int clientNo = c;
                results.add(pool.submit(() -> {
                    List<String> problems = new ArrayList<>();
                    for (int n = 0; n < perClient; n++) {
                        String sent = n % 10 == 0 ? null : n % 10 == 5 ? "bad id " + n : "c" + clientNo + "-" + n;
                        Reply reply = get(client, uri, HEADER, sent);
                        boolean ok = reply.status == 200
                                && RequestIds.isValid(reply.id)
                                && (sent == null || !RequestIds.isValid(sent) || sent.equals(reply.id))
                                && (sent == null || RequestIds.isValid(sent) || !sent.equals(reply.id))
                                && !reply.tokens.isEmpty()
                                && reply.tokens.stream().allMatch(reply.id::equals);
                        if (!ok) {
                            problems.add("sent " + sent + ", got " + reply);
                        }
                    }
                    return problems;
                }));
            }
            List<String> problems = new ArrayList<>();
            for (Future<List<String>> f : results) {
                problems.addAll(f.get(120, TimeUnit.SECONDS));
            }
            assertThat(problems).as("replies that were not entirely their own request's").isEmpty();
            return clients * perClient;
        } finally {
            pool.shutdownNow();
        }
    }
}
