package dev.asynclocal.servers;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Objects;

/**
 * A filter for the JDK's {@code com.sun.net.httpserver.HttpServer} that runs each exchange in its
 * own asynclocal context holding the request id.
 *
 * <p>The id is the request's {@code X-Request-Id} header (the name is configurable) when it is
 * {@linkplain RequestIds#isValid valid}, otherwise a new one; a missing or malformed header never
 * fails the request. The id is set on the response header before the handler runs, is the store
 * of the configured {@link dev.asynclocal.AsyncLocalStorage} for the whole exchange (and for
 * every async operation the handler creates with its context), and, when SLF4J is present, is
 * the MDC value under {@code requestId}.
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * server.createContext("/", handler).getFilters().add(HttpServerRequestIdFilter.create());
 * }</pre>
 *
 * <p>When the handler returns, the server thread's context is what it was before the exchange,
 * so pooled server threads never carry one request's id into the next.
 */
public final class HttpServerRequestIdFilter extends Filter {
    private final RequestIdConfig config;

    private HttpServerRequestIdFilter(RequestIdConfig config) {
        this.config = config;
    }

    /**
     * A filter with {@link RequestIdConfig#defaults()}.
     *
     * @return a new filter
     */
    public static HttpServerRequestIdFilter create() {
        return new HttpServerRequestIdFilter(RequestIdConfig.defaults());
    }

    /**
     * A filter with the given config.
     *
     * @param config header, storage, MDC key and id generator
     * @return a new filter
     * @throws NullPointerException if {@code config} is {@code null}
     */
    public static HttpServerRequestIdFilter create(RequestIdConfig config) {
        return new HttpServerRequestIdFilter(Objects.requireNonNull(config, "config"));
    }

    /**
     * The config in use.
     *
     * @return the config
     */
    public RequestIdConfig config() {
        return config;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String id = config.resolve(exchange.getRequestHeaders().getFirst(config.header()));
        exchange.getResponseHeaders().set(config.header(), id);
        String mdcKey = config.activeMdcKey();
        config.storage().<Void, IOException>run(id, () -> MdcBridge.<Void, IOException>withValue(mdcKey, id, () -> {
            chain.doFilter(exchange);
            return null;
        }));
    }

    @Override
    public String description() {
        return "runs each exchange in an asynclocal context holding its request id (" + config.header() + ")";
    }
}
