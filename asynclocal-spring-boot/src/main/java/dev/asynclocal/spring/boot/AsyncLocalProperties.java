package dev.asynclocal.spring.boot;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code asynclocal.*} properties. Every part is on by default and turns itself off when the
 * library it serves is absent; set {@code enabled=false} to remove a part's beans.
 */
@ConfigurationProperties("asynclocal")
public class AsyncLocalProperties {
    /**
     * Keys of string stores that travel with requests, as W3C baggage in and out, and appear in
     * the MDC under the same key. Each becomes an {@code AsyncLocalStorage<String>}, found with
     * {@code DeclaredStores.storage(key)}.
     */
    private List<String> propagated = new ArrayList<>();

    private final RequestId requestId = new RequestId();
    private final Executors executors = new Executors();
    private final Http http = new Http();
    private final Reactor reactor = new Reactor();

    public List<String> getPropagated() {
        return propagated;
    }

    public void setPropagated(List<String> propagated) {
        this.propagated = propagated;
    }

    public RequestId getRequestId() {
        return requestId;
    }

    public Executors getExecutors() {
        return executors;
    }

    public Http getHttp() {
        return http;
    }

    public Reactor getReactor() {
        return reactor;
    }

    /** The request id every incoming request gets (servlet and WebFlux). */
    public static class RequestId {
        /** Whether incoming requests get a request id (and its filter is registered). */
        private boolean enabled = true;
        /** The header the id is read from (when valid) and written to on the response. */
        private String header = "X-Request-Id";
        /** The MDC key of the id; empty for none. */
        private String mdcKey = "requestId";
        /** Whether the id travels as W3C baggage too (key {@code requestId}). */
        private boolean propagated = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHeader() {
            return header;
        }

        public void setHeader(String header) {
            this.header = header;
        }

        public String getMdcKey() {
            return mdcKey;
        }

        public void setMdcKey(String mdcKey) {
            this.mdcKey = mdcKey;
        }

        public boolean isPropagated() {
            return propagated;
        }

        public void setPropagated(boolean propagated) {
            this.propagated = propagated;
        }
    }

    /** Spring's executors and schedulers. */
    public static class Executors {
        /**
         * Whether the executors and schedulers Boot builds run each task in the context it was
         * submitted in (through a {@code TaskDecorator} bean).
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Outbound HTTP. */
    public static class Http {
        /**
         * Whether RestClient, RestTemplate and WebClient beans send the declared stores as W3C
         * baggage (and {@code traceparent} when a span is current).
         */
        private boolean client = true;

        public boolean isClient() {
            return client;
        }

        public void setClient(boolean client) {
            this.client = client;
        }
    }

    /** Reactor. */
    public static class Reactor {
        /**
         * Whether Reactor's automatic context propagation is turned on and carries the whole
         * asynclocal context into every operator.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
