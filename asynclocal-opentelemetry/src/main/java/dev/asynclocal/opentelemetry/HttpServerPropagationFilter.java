package dev.asynclocal.opentelemetry;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.Headers;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A filter for the JDK's {@code com.sun.net.httpserver.HttpServer} that runs each exchange in the
 * context its caller sent: the declared stores decoded from the W3C {@code baggage} header, and
 * OpenTelemetry's context with the caller's span (from {@code traceparent}) as remote parent. See
 * {@link BaggagePropagation#extract} for what is dropped; nothing a client sends makes this
 * filter throw.
 * <pre>{@code
 * HttpContext context = server.createContext("/", handler);
 * context.getFilters().add(HttpServerPropagationFilter.create(PROPAGATION));
 * context.getFilters().add(HttpServerRequestIdFilter.create(
 *         RequestIdConfig.defaults().withIdFromContext(true)));   // optional, after this one
 * }</pre>
 *
 * <p>Put it first: every later filter and the handler see the received context. With
 * {@code HttpServerRequestIdFilter} from {@code asynclocal-servers} configured with
 * {@code withIdFromContext(true)} and the request-id storage declared in the propagation, a
 * request id that arrives in baggage is kept instead of a new one being made. When the exchange
 * is done, the server thread's previous context is back.
 */
public final class HttpServerPropagationFilter extends Filter {
    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Headers carrier, String key) {
            return carrier == null ? null : carrier.getFirst(key);
        }

        @Override
        public Iterator<String> getAll(Headers carrier, String key) {
            List<String> values = carrier == null ? null : carrier.get(key);
            return values == null ? Collections.emptyIterator() : values.iterator();
        }
    };

    private final BaggagePropagation propagation;

    private HttpServerPropagationFilter(BaggagePropagation propagation) {
        this.propagation = propagation;
    }

    /**
     * A filter that extracts with {@code propagation}.
     *
     * @param propagation the declarations of what travels
     * @return a new filter
     * @throws NullPointerException if {@code propagation} is {@code null}
     */
    public static HttpServerPropagationFilter create(BaggagePropagation propagation) {
        return new HttpServerPropagationFilter(Objects.requireNonNull(propagation, "propagation"));
    }

    /**
     * The propagation in use.
     *
     * @return the propagation
     */
    public BaggagePropagation propagation() {
        return propagation;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        IncomingContext incoming = propagation.extract(exchange.getRequestHeaders(), HEADERS);
        incoming.<Void, IOException>run(() -> {
            chain.doFilter(exchange);
            return null;
        });
    }

    @Override
    public String description() {
        return "runs each exchange in the context its caller sent (W3C traceparent and baggage)";
    }
}
