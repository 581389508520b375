package dev.asynclocal.opentelemetry;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Carries declared {@link dev.asynclocal.AsyncLocalStorage} stores from one service to the next as
 * W3C Baggage entries, next to the W3C {@code traceparent} of the current span, using
 * OpenTelemetry's own {@link W3CTraceContextPropagator} and {@link W3CBaggagePropagator}.
 * <pre>{@code
 * static final BaggagePropagation PROPAGATION = BaggagePropagation.of(
 *         PropagatedStorage.ofString(REQUEST_ID, "requestId"),
 *         PropagatedStorage.of(USER, "user", User::name, User::fromName));
 *
 * HttpClient client = PROPAGATION.wrap(HttpClient.newHttpClient());             // caller side
 * server.createContext("/", handler).getFilters()
 *         .add(HttpServerPropagationFilter.create(PROPAGATION));                // callee side
 * }</pre>
 *
 * <p><b>Sending</b> ({@link #inject}, {@link #headers()}, {@link #wrap(HttpClient)}): the headers
 * describe the current context: {@code traceparent} (and {@code tracestate}) when a valid span is
 * current, and {@code baggage} with the entries of OpenTelemetry's current {@link Baggage}, in
 * which each declared key is replaced by the encoded store of its instance, or removed when that
 * store is {@code null}. An entry that fails to encode, or whose encoded form exceeds the W3C
 * limit of 4096 bytes, is left out; OpenTelemetry's propagator further sends at most 64 entries and
 * 8192 bytes.
 *
 * <p><b>Receiving</b> ({@link #extract}): the result describes a fresh context built from the
 * headers alone, never from whatever the receiving thread had: OpenTelemetry's context with the
 * remote span as parent and the received baggage, and each declared instance set to its decoded
 * entry or, when there is none, unset. Nothing a peer sends makes extraction throw: oversized or
 * malformed headers and entries, and values the decoder refuses, are dropped (each with a debug
 * line on the {@code System.Logger} {@code dev.asynclocal.opentelemetry}). The exact rules are in
 * {@code docs/across-services.md}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BaggagePropagation {
    static final String TRACEPARENT = "traceparent";
    static final String TRACESTATE = "tracestate";
    static final String BAGGAGE = "baggage";

    private static final List<String> HEADER_NAMES = List.of(TRACEPARENT, TRACESTATE, BAGGAGE);

    private static final TextMapPropagator W3C = TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

    private static final TextMapSetter<Map<String, String>> MAP_SETTER = Map::put;
    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final List<PropagatedStorage<?>> storages;
    private final Set<String> keys;

    private BaggagePropagation(List<PropagatedStorage<?>> storages) {
        this.storages = storages;
        Set<String> keys = new HashSet<>();
        for (PropagatedStorage<?> storage : storages) {
            keys.add(storage.key());
        }
        this.keys = Collections.unmodifiableSet(keys);
    }

    /**
     * A propagation of the given declarations.
     *
     * @param storages the instances that travel, with their keys and codecs
     * @return the propagation
     * @throws NullPointerException if {@code storages} or an element is {@code null}
     * @throws IllegalArgumentException if two declarations share a key or an instance
     */
    public static BaggagePropagation of(PropagatedStorage<?>... storages) {
        Objects.requireNonNull(storages, "storages");
        return of(List.of(storages));
    }

    /**
     * A propagation of the given declarations.
     *
     * @param storages the instances that travel, with their keys and codecs
     * @return the propagation
     * @throws NullPointerException if {@code storages} or an element is {@code null}
     * @throws IllegalArgumentException if two declarations share a key or an instance
     */
    public static BaggagePropagation of(List<? extends PropagatedStorage<?>> storages) {
        Objects.requireNonNull(storages, "storages");
        Set<String> keys = new HashSet<>();
        Set<Object> instances = Collections.newSetFromMap(new IdentityHashMap<>());
        List<PropagatedStorage<?>> copy = new ArrayList<>(storages.size());
        for (PropagatedStorage<?> storage : storages) {
            Objects.requireNonNull(storage, "storages element");
            if (!keys.add(storage.key())) {
                throw new IllegalArgumentException("baggage key declared twice: " + storage.key());
            }
            if (!instances.add(storage.storage())) {
                throw new IllegalArgumentException("storage declared twice: " + storage.storage());
            }
            copy.add(storage);
        }
        return new BaggagePropagation(Collections.unmodifiableList(copy));
    }

    /**
     * The declarations, in the order given.
     *
     * @return an unmodifiable list
     */
    public List<PropagatedStorage<?>> storages() {
        return storages;
    }

    /**
     * Writes the headers that describe the current context into {@code carrier}. Never throws
     * because of a store: an entry that cannot be encoded is left out.
     *
     * @param carrier the outgoing request, or a builder of it
     * @param setter how to set a header on {@code carrier}
     * @param <C> the carrier type
     * @throws NullPointerException if {@code setter} is {@code null}
     */
    public <C> void inject(C carrier, TextMapSetter<C> setter) {
        Objects.requireNonNull(setter, "setter");
        headers().forEach((name, value) -> setter.set(carrier, name, value));
    }

    /**
     * The names of the headers this propagation writes ({@code traceparent}, {@code tracestate},
     * {@code baggage}), for transports that replace them before adding their own.
     *
     * @return the header names, lower case
     */
    public static List<String> headerNames() {
        return HEADER_NAMES;
    }

    /**
     * The headers {@link #inject} would write now, for clients this module does not wrap.
     *
     * @return header name to value, lowercase names, possibly empty; a new modifiable map
     */
    public Map<String, String> headers() {
        Context context = Context.current();
        Object[] stores = new Object[storages.size()];
        for (int i = 0; i < stores.length; i++) {
            stores[i] = storages.get(i).storage().getStore();
        }
        LastHeaders remembered = last;
        if (remembered != null && remembered.isFor(context, stores)) {
            return new LinkedHashMap<>(remembered.fields);
        }
        Map<String, String> fields = computeHeaders(context);
        last = new LastHeaders(context, stores, new LinkedHashMap<>(fields));
        return fields;
    }

    /**
     * The headers of the last context this propagation encoded: a request that sends many messages
     * (a Kafka producer's records, a batch of calls) encodes its context once, not once per
     * message. The headers are a function of OpenTelemetry's context (immutable, so its identity
     * stands for its span and baggage) and of the declared stores' values, compared by identity;
     * encoders are expected to give the same text for the same value. One entry per propagation,
     * not per thread: concurrent requests only replace each other's entry, and no thread-local
     * keeps a request's values (or this class's loader) on a pool thread.
     */
    private volatile LastHeaders last;

    private static final class LastHeaders {
        final Context context;
        final Object[] stores;
        final Map<String, String> fields;

        LastHeaders(Context context, Object[] stores, Map<String, String> fields) {
            this.context = context;
            this.stores = stores;
            this.fields = fields;
        }

        boolean isFor(Context context, Object[] stores) {
            if (this.context != context) {
                return false;
            }
            for (int i = 0; i < stores.length; i++) {
                if (this.stores[i] != stores[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private Map<String, String> computeHeaders(Context context) {
        Baggage baggage = outgoingBaggage(Baggage.fromContext(context));
        Map<String, String> fields = new LinkedHashMap<>(4);
        W3C.inject(context.with(baggage), fields, MAP_SETTER);
        Set<String> oversized = oversizedKeys(fields.get(BAGGAGE));
        if (!oversized.isEmpty()) {
            BaggageBuilder trimmed = baggage.toBuilder();
            for (String key : oversized) {
                Log.dropped(() -> "baggage entry " + key + " not sent: over the W3C limit of "
                        + W3CLimits.MAX_MEMBER_BYTES + " bytes once encoded");
                trimmed.remove(key);
            }
            fields.clear();
            W3C.inject(context.with(trimmed.build()), fields, MAP_SETTER);
        }
        return fields;
    }

    private Baggage outgoingBaggage(Baggage current) {
        if (storages.isEmpty()) {
            return current;
        }
        BaggageBuilder builder = current.toBuilder();
        for (PropagatedStorage<?> storage : storages) {
            String value;
            try {
                value = storage.encodeCurrent();
            } catch (RuntimeException e) {
                Log.dropped(() -> "baggage entry " + storage.key() + " not sent: its encoder threw", e);
                value = null;
            }
            if (value == null) {
                builder.remove(storage.key());
            } else {
                builder.put(storage.key(), value);
            }
        }
        return builder.build();
    }

    private static Set<String> oversizedKeys(String header) {
        if (header == null || header.length() <= W3CLimits.MAX_MEMBER_BYTES) {
            return Set.of();
        }
        Set<String> oversized = new LinkedHashSet<>();
        for (String member : header.split(",")) {
            if (W3CLimits.utf8Length(member) > W3CLimits.MAX_MEMBER_BYTES) {
                oversized.add(W3CLimits.keyOf(member));
            }
        }
        return oversized;
    }

    /**
     * Reads the context a peer sent. Never throws because of what the peer sent; see the class
     * description for what is dropped.
     *
     * @param carrier the incoming request's headers
     * @param getter how to read headers from {@code carrier}; its {@code getAll} should return
     *     every field of a repeated header (OpenTelemetry's default returns only the first)
     * @param <C> the carrier type
     * @return the context to run the request in
     * @throws NullPointerException if {@code getter} is {@code null}
     */
    public <C> IncomingContext extract(C carrier, TextMapGetter<C> getter) {
        Objects.requireNonNull(getter, "getter");
        try {
            return doExtract(carrier, getter);
        } catch (RuntimeException e) {
            // A getter or a propagator that fails must not fail the request.
            Log.dropped(() -> "incoming context dropped: reading the headers failed", e);
            return IncomingContext.fresh(this);
        }
    }

    private <C> IncomingContext doExtract(C carrier, TextMapGetter<C> getter) {
        Map<String, String> clean = new HashMap<>(4);
        String traceparent = W3CLimits.sanitizeTraceparent(all(getter, carrier, TRACEPARENT));
        if (traceparent != null) {
            clean.put(TRACEPARENT, traceparent);
            List<String> tracestate = all(getter, carrier, TRACESTATE);
            if (!tracestate.isEmpty()) {
                clean.put(TRACESTATE, String.join(",", tracestate));
            }
        }
        String baggageHeader = W3CLimits.sanitizeBaggage(all(getter, carrier, BAGGAGE), keys);
        if (baggageHeader != null) {
            clean.put(BAGGAGE, baggageHeader);
        }
        Context context = clean.isEmpty() ? Context.root() : W3C.extract(Context.root(), clean, MAP_GETTER);
        if (traceparent != null && !Span.fromContext(context).getSpanContext().isValid()) {
            Log.dropped(() -> "malformed traceparent dropped: " + W3CLimits.quote(traceparent));
        }

        Baggage baggage = Baggage.fromContext(context);
        Object[] values = new Object[storages.size()];
        String[] received = new String[storages.size()];
        BaggageBuilder refused = null;
        for (int i = 0; i < values.length; i++) {
            PropagatedStorage<?> storage = storages.get(i);
            values[i] = IncomingContext.ABSENT;
            String value = baggage.getEntryValue(storage.key());
            if (value == null) {
                continue;
            }
            Object decoded;
            try {
                decoded = storage.decode(value);
            } catch (RuntimeException e) {
                Log.dropped(() -> "baggage entry " + storage.key() + " dropped: its decoder threw on "
                        + W3CLimits.quote(value), e);
                decoded = null;
            }
            if (decoded == null) {
                Log.dropped(() -> "baggage entry " + storage.key() + " dropped: value refused by its decoder: "
                        + W3CLimits.quote(value));
                // Nor is it passed on to the next service.
                refused = refused == null ? baggage.toBuilder() : refused;
                refused.remove(storage.key());
            } else {
                values[i] = decoded;
                received[i] = value;
            }
        }
        if (refused != null) {
            context = context.with(refused.build());
        }
        return new IncomingContext(this, context, values, received);
    }

    /**
     * Whether this OpenTelemetry has {@code TextMapGetter.getAll}. Older versions (such as the 1.49
     * that Spring Boot 3.5 manages) do not: there only the first of several headers of one name
     * can be read, through {@code get}.
     */
    private static final boolean GET_ALL = hasGetAll();

    private static boolean hasGetAll() {
        try {
            TextMapGetter.class.getMethod("getAll", Object.class, String.class);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static <C> List<String> all(TextMapGetter<C> getter, C carrier, String name) {
        if (!GET_ALL) {
            String value = getter.get(carrier, name);
            return value == null ? List.of() : List.of(value);
        }
        Iterator<String> values = getter.getAll(carrier, name);
        if (values == null || !values.hasNext()) {
            return List.of();
        }
        List<String> list = new ArrayList<>(1);
        while (values.hasNext()) {
            String value = values.next();
            if (value != null) {
                list.add(value);
            }
        }
        return list;
    }

    /**
     * Returns a client that sends every request with the headers of the context current at the
     * {@code send} or {@code sendAsync} call, and runs its response handling in that context.
     * See {@link PropagatingHttpClient} for the details.
     *
     * @param client the client that does the work
     * @return the propagating client
     * @throws NullPointerException if {@code client} is {@code null}
     */
    public HttpClient wrap(HttpClient client) {
        return new PropagatingHttpClient(Objects.requireNonNull(client, "client"), this);
    }

    @Override
    public String toString() {
        return "BaggagePropagation" + storages;
    }
}
