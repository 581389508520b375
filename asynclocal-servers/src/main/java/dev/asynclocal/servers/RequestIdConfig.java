package dev.asynclocal.servers;

import dev.asynclocal.AsyncLocalStorage;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a request-id filter names and publishes the id: the header it reads and writes, the
 * {@link AsyncLocalStorage} that holds the id while the request runs, the MDC key (when SLF4J is
 * present), and how new ids are made. Immutable; each {@code with} method returns a new config.
 * <pre>{@code
 * RequestIdConfig config = RequestIdConfig.defaults().withHeader("X-Correlation-Id");
 * }</pre>
 */
public final class RequestIdConfig {
    private static final RequestIdConfig DEFAULTS = new RequestIdConfig(
            RequestIds.DEFAULT_HEADER, RequestIds.storage(), RequestIds.DEFAULT_MDC_KEY, RequestIds::generate, false);

    private final String header;
    private final AsyncLocalStorage<String> storage;
    private final String mdcKey;
    private final Supplier<String> generator;
    private final boolean idFromContext;

    private RequestIdConfig(String header, AsyncLocalStorage<String> storage, String mdcKey, Supplier<String> generator,
            boolean idFromContext) {
        this.header = header;
        this.storage = storage;
        this.mdcKey = mdcKey;
        this.generator = generator;
        this.idFromContext = idFromContext;
    }

    /**
     * Header {@value RequestIds#DEFAULT_HEADER}, storage {@link RequestIds#storage()}, MDC key
     * {@value RequestIds#DEFAULT_MDC_KEY}, ids from {@link RequestIds#generate()}.
     *
     * @return the default config
     */
    public static RequestIdConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Reads and writes the id in another header.
     *
     * @param header the header name
     * @return a config with that header
     * @throws NullPointerException if {@code header} is {@code null}
     * @throws IllegalArgumentException if {@code header} is empty
     */
    public RequestIdConfig withHeader(String header) {
        Objects.requireNonNull(header, "header");
        if (header.isEmpty()) {
            throw new IllegalArgumentException("header name is empty");
        }
        return new RequestIdConfig(header, storage, mdcKey, generator, idFromContext);
    }

    /**
     * Keeps the id in the application's own storage instead of {@link RequestIds#storage()}.
     *
     * @param storage the instance whose store is the id while a request runs
     * @return a config with that storage
     * @throws NullPointerException if {@code storage} is {@code null}
     */
    public RequestIdConfig withStorage(AsyncLocalStorage<String> storage) {
        return new RequestIdConfig(header, Objects.requireNonNull(storage, "storage"), mdcKey, generator, idFromContext);
    }

    /**
     * Puts the id in SLF4J's MDC under {@code mdcKey}, or, with {@code null}, not at all. The MDC
     * is used only when SLF4J is on the class path; with {@code asynclocal-slf4j} installed, the
     * MDC value follows the request through every async hop like the id itself.
     *
     * @param mdcKey the MDC key, or {@code null} for no MDC
     * @return a config with that MDC key
     * @throws IllegalArgumentException if {@code mdcKey} is empty
     */
    public RequestIdConfig withMdcKey(String mdcKey) {
        if (mdcKey != null && mdcKey.isEmpty()) {
            throw new IllegalArgumentException("MDC key is empty");
        }
        return new RequestIdConfig(header, storage, mdcKey, generator, idFromContext);
    }

    /**
     * Makes new ids with {@code generator}. An id it returns that {@link RequestIds#isValid} would
     * refuse (or an exception it throws) is replaced by {@link RequestIds#generate()}, so a
     * request is never failed because of its id.
     *
     * @param generator the source of new ids
     * @return a config with that generator
     * @throws NullPointerException if {@code generator} is {@code null}
     */
    public RequestIdConfig withGenerator(Supplier<String> generator) {
        return new RequestIdConfig(header, storage, mdcKey, Objects.requireNonNull(generator, "generator"), idFromContext);
    }

    /**
     * Whether a request without a valid id header keeps the id already current in the storage
     * when the filter runs, instead of getting a new one. Off by default. Turn it on when a filter
     * earlier in the chain sets the storage from what the caller sent by other means, such as the
     * W3C baggage read by {@code asynclocal-opentelemetry}'s propagation filters; that filter
     * must then also clear the storage when nothing was sent, as those do, or requests would
     * share whatever the server thread happened to hold. A valid header still wins, and an
     * invalid current id is still replaced.
     *
     * @param idFromContext whether to keep a valid id found in the storage
     * @return a config with that setting
     */
    public RequestIdConfig withIdFromContext(boolean idFromContext) {
        return new RequestIdConfig(header, storage, mdcKey, generator, idFromContext);
    }

    /**
     * Whether a valid id already current in the storage is kept; see {@link #withIdFromContext}.
     *
     * @return the setting
     */
    public boolean idFromContext() {
        return idFromContext;
    }

    /**
     * The header name.
     *
     * @return the header read and written
     */
    public String header() {
        return header;
    }

    /**
     * The storage.
     *
     * @return the instance that holds the id while a request runs
     */
    public AsyncLocalStorage<String> storage() {
        return storage;
    }

    /**
     * The MDC key.
     *
     * @return the MDC key, or {@code null} when the id is not put in the MDC
     */
    public String mdcKey() {
        return mdcKey;
    }

    /**
     * The id for a request that sent {@code headerValue}: the value itself when valid, otherwise
     * (with {@link #idFromContext()}) a valid id already in the storage, otherwise a new one.
     * Never throws.
     */
    String resolve(String headerValue) {
        if (RequestIds.isValid(headerValue)) {
            return headerValue;
        }
        if (idFromContext) {
            String current = storage.getStore();
            if (RequestIds.isValid(current)) {
                return current;
            }
        }
        String id;
        try {
            id = generator.get();
        } catch (RuntimeException e) {
            id = null;
        }
        return RequestIds.isValid(id) ? id : RequestIds.generate();
    }

    /** The MDC key to use now: {@code null} when none is configured or SLF4J is absent. */
    String activeMdcKey() {
        return MdcBridge.SLF4J_PRESENT ? mdcKey : null;
    }

    @Override
    public String toString() {
        return "RequestIdConfig[header=" + header + ", storage=" + storage.name() + ", mdcKey=" + mdcKey
                + (idFromContext ? ", idFromContext" : "") + "]";
    }
}
