package dev.asynclocal.servers;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Fuzzes the request-id header as {@link HttpServerRequestIdFilter} reads it: any number of
 * {@code X-Request-Id} fields of any text, a thread that already holds some id (valid or not),
 * the {@code idFromContext} setting, and a generator that returns any text or throws.
 *
 * <p>Checked for every input: the filter does not throw; inside the handler the store and the
 * MDC hold the same id, which is also the response header, and which is 1 to 128 visible ASCII
 * characters (checked with a regular expression, not with {@link RequestIds#isValid}); a valid
 * first header field is taken as it is; with {@code idFromContext}, a valid id already current is
 * kept when the header is not valid; afterwards the thread's store and MDC are what they were.
 */
class RequestIdHeaderFuzzTest {
    private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7e]{1,128}");

    /**
     * Input: UTF-8 text, one line per item, {@code name:value} with the value taken as it is:
     * {@code x-request-id:} header fields; {@code outer:} the id current on the thread before (none
     * without the line); {@code generator:} what the generator returns ({@code generator-throws:}
     * makes it throw); an {@code id-from-context:} line turns that setting on.
     */
    @FuzzTest
    @DictionaryEntries({"\\x0Ax-request-id:", "\\x0Aouter:", "\\x0Agenerator:", "\\x0Agenerator-throws:", "\\x0Aid-from-context:",
        " ", "\\x09", "\\x0D", "\\x7F", "~", "!"})
    void theIdInTheContextIsAlwaysValidAndNeverLeaks(byte[] input) throws IOException {
        List<String> ids = new ArrayList<>();
        String outer = null;
        String generated = null;
        boolean generatorThrows = false;
        boolean idFromContext = false;
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            int colon = line.indexOf(':');
            String name = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            switch (name) {
                case "x-request-id" -> ids.add(value);
                case "outer" -> outer = value;
                case "generator" -> generated = value;
                case "generator-throws" -> generatorThrows = true;
                case "id-from-context" -> idFromContext = true;
                default -> {
                    // not part of the format: ignored
                }
            }
        }
        Headers request = new Headers();
        for (String id : ids) {
            try {
                request.add(RequestIds.DEFAULT_HEADER, id);
            } catch (IllegalArgumentException e) {
                // Headers refuses a CR or LF not followed by whitespace: such a field never reaches a filter
            }
        }
        boolean throwing = generatorThrows;
        String fromGenerator = generated;
        RequestIdConfig config = RequestIdConfig.defaults()
                .withIdFromContext(idFromContext)
                .withGenerator(() -> {
                    if (throwing) {
                        throw new IllegalStateException("generator failed");
                    }
                    return fromGenerator;
                });
        String first = request.getFirst(RequestIds.DEFAULT_HEADER);

        FakeExchange exchange = new FakeExchange(request);
        AtomicReference<String> seen = new AtomicReference<>();
        Filter.Chain chain = new Filter.Chain(List.of(), ex -> {
            String id = RequestIds.current();
            assertThat(MDC.get(RequestIds.DEFAULT_MDC_KEY)).isEqualTo(id);
            seen.set(id);
        });
        String mdcBefore = "mdc-" + (outer == null ? "none" : Integer.toHexString(outer.hashCode()));
        MDC.put(RequestIds.DEFAULT_MDC_KEY, mdcBefore);
        try {
            String current = outer;
            RequestIds.storage().run(current, () -> {
                HttpServerRequestIdFilter.create(config).doFilter(exchange, chain);
                assertThat(RequestIds.current()).isSameAs(current);
                assertThat(MDC.get(RequestIds.DEFAULT_MDC_KEY)).isEqualTo(mdcBefore);
                return null;
            });
        } finally {
            MDC.remove(RequestIds.DEFAULT_MDC_KEY);
        }

        String id = seen.get();
        assertThat(id).matches(VISIBLE_ASCII);
        assertThat(exchange.getResponseHeaders().get(RequestIds.DEFAULT_HEADER)).containsExactly(id);
        if (first != null && VISIBLE_ASCII.matcher(first).matches()) {
            assertThat(id).isEqualTo(first);
        } else if (idFromContext && outer != null && VISIBLE_ASCII.matcher(outer).matches()) {
            assertThat(id).isEqualTo(outer);
        } else if (!generatorThrows && generated != null && VISIBLE_ASCII.matcher(generated).matches()) {
            assertThat(id).isEqualTo(generated);
        }
    }

    /** Just enough of an exchange for a filter that reads and writes headers. */
    private static final class FakeExchange extends HttpExchange {
        private final Headers request;
        private final Headers response = new Headers();

        FakeExchange(Headers request) {
            this.request = request;
        }

        @Override
        public Headers getRequestHeaders() {
            return request;
        }

        @Override
        public Headers getResponseHeaders() {
            return response;
        }

        @Override
        public URI getRequestURI() {
            return URI.create("/fuzz");
        }

        @Override
        public String getRequestMethod() {
            return "GET";
        }

        @Override
        public HttpContext getHttpContext() {
            return null;
        }

        @Override
        public void close() {
        }

        @Override
        public InputStream getRequestBody() {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public OutputStream getResponseBody() {
            return new ByteArrayOutputStream();
        }

        @Override
        public void sendResponseHeaders(int code, long length) {
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return InetSocketAddress.createUnresolved("client", 1);
        }

        @Override
        public int getResponseCode() {
            return -1;
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return InetSocketAddress.createUnresolved("server", 2);
        }

        @Override
        public String getProtocol() {
            return "HTTP/1.1";
        }

        @Override
        public Object getAttribute(String name) {
            return null;
        }

        @Override
        public void setAttribute(String name, Object value) {
        }

        @Override
        public void setStreams(InputStream in, OutputStream out) {
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return null;
        }
    }
}
