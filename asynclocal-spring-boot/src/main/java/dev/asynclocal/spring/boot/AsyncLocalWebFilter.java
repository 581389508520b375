package dev.asynclocal.spring.boot;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import dev.asynclocal.micrometer.AsyncLocalContextAccessor;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.IncomingContext;
import dev.asynclocal.servers.RequestIds;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * WebFlux: builds each request's context (the declared stores from W3C {@code baggage}, the span
 * from {@code traceparent}, the request id and the MDC) in a fresh, empty context, and puts it in
 * the Reactor context under {@link AsyncLocalContextAccessor#KEY}. With Reactor's automatic context
 * propagation, which the starter turns on, handlers and every operator after a thread hop run in
 * it; nothing is left on the event-loop thread.
 */
final class AsyncLocalWebFilter implements WebFilter, Ordered {
    /** The exchange attribute that holds the request id. */
    static final String REQUEST_ID_ATTRIBUTE = "dev.asynclocal.servers.requestId";

    private static final TextMapGetter<HttpHeaders> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders carrier) {
            // toSingleValueMap: the one way to list names that Spring 6.2 and 7 share
            return carrier.toSingleValueMap().keySet();
        }

        @Override
        public String get(HttpHeaders carrier, String key) {
            return carrier == null ? null : carrier.getFirst(key);
        }

        @Override
        public java.util.Iterator<String> getAll(HttpHeaders carrier, String key) {
            List<String> values = carrier == null ? null : carrier.get(key);
            return values == null ? java.util.Collections.emptyIterator() : values.iterator();
        }
    };

    private final BaggagePropagation propagation;
    private final AsyncLocalProperties.RequestId requestId;

    AsyncLocalWebFilter(BaggagePropagation propagation, AsyncLocalProperties.RequestId requestId) {
        this.propagation = propagation;
        this.requestId = requestId;
    }

    @Override
    public int getOrder() {
        return AsyncLocalServletAutoConfiguration.BAGGAGE_FILTER_ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        IncomingContext incoming = propagation.extract(headers, HEADERS);
        // Empty first: whatever the event-loop thread holds belongs to no request.
        Snapshot requestContext = Snapshot.empty().run(() -> incoming.run(() -> {
            if (!requestId.isEnabled()) {
                return AsyncLocalStorage.snapshot();
            }
            String id = resolveId(headers.getFirst(requestId.getHeader()));
            exchange.getResponse().getHeaders().set(requestId.getHeader(), id);
            exchange.getAttributes().put(REQUEST_ID_ATTRIBUTE, id);
            return RequestIds.storage().run(id, () -> withMdc(id));
        }));
        return Mono.defer(() -> requestContext.run(() -> chain.filter(exchange)))
                .contextWrite(context -> context.put(AsyncLocalContextAccessor.KEY, requestContext));
    }

    private Snapshot withMdc(String id) {
        String key = requestId.getMdcKey();
        if (key != null && !key.isEmpty() && Slf4j.PRESENT) {
            Slf4j.put(key, id);
        }
        return AsyncLocalStorage.snapshot();
    }

    private String resolveId(String header) {
        if (RequestIds.isValid(header)) {
            return header;
        }
        String fromBaggage = requestId.isPropagated() ? RequestIds.storage().getStore() : null;
        return RequestIds.isValid(fromBaggage) ? fromBaggage : RequestIds.generate();
    }

    /**
     * The MDC entry is put inside the request's context: with asynclocal-slf4j (a dependency of
     * the starter) the MDC is part of the context, so it is captured with the rest and is gone
     * from the thread when the filter returns.
     */
    private static final class Slf4j {
        static final boolean PRESENT = present();

        private static boolean present() {
            try {
                Class.forName("org.slf4j.MDC", false, AsyncLocalWebFilter.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        static void put(String key, String value) {
            org.slf4j.MDC.put(key, value);
        }
    }
}
