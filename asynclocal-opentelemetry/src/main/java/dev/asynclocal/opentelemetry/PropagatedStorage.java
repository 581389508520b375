package dev.asynclocal.opentelemetry;

import dev.asynclocal.AsyncLocalStorage;
import java.util.Objects;
import java.util.function.Function;

/**
 * An {@link AsyncLocalStorage} declared to travel between services, with how its store is
 * written into and read from a W3C Baggage entry.
 * <pre>{@code
 * static final AsyncLocalStorage<User> USER = new AsyncLocalStorage<>("user");
 * static final PropagatedStorage<User> USER_ENTRY =
 *         PropagatedStorage.of(USER, "user", User::name, User::fromName);
 * }</pre>
 *
 * <p>The encoder turns the current store into the entry's value; any string will do (it is
 * percent-encoded on the wire). A {@code null} store, or an encoder that returns {@code null}, sends
 * no entry. The decoder turns a received value back into a store; if it throws or returns
 * {@code null}, the entry is dropped (with a debug log line) and the store stays unset, so a store
 * holds either a fully decoded value or nothing. Codecs must be cheap and side-effect free: they
 * run on every outgoing and incoming request.
 *
 * <p>Instances are immutable.
 *
 * @param <T> the type of the store
 */
public final class PropagatedStorage<T> {
    private final AsyncLocalStorage<T> storage;
    private final String key;
    private final Function<? super T, String> encoder;
    private final Function<String, ? extends T> decoder;
    private final String mdcKey;

    private PropagatedStorage(AsyncLocalStorage<T> storage, String key, Function<? super T, String> encoder,
            Function<String, ? extends T> decoder, String mdcKey) {
        this.storage = storage;
        this.key = key;
        this.encoder = encoder;
        this.decoder = decoder;
        this.mdcKey = mdcKey;
    }

    /**
     * Declares that {@code storage} travels as the baggage entry {@code key}.
     *
     * @param storage the instance whose store travels
     * @param key the baggage key: an HTTP token (letters, digits and {@code !#$%&'*+-.^_`|~})
     * @param encoder store to entry value
     * @param decoder entry value to store
     * @param <T> the type of the store
     * @return the declaration
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is not a token
     */
    public static <T> PropagatedStorage<T> of(AsyncLocalStorage<T> storage, String key,
            Function<? super T, String> encoder, Function<String, ? extends T> decoder) {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        return new PropagatedStorage<>(storage, checkKey(key), encoder, decoder, null);
    }

    /**
     * Declares that a string {@code storage} travels as the baggage entry {@code key}, unchanged.
     *
     * @param storage the instance whose store travels
     * @param key the baggage key: an HTTP token
     * @return the declaration
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code key} is not a token
     */
    public static PropagatedStorage<String> ofString(AsyncLocalStorage<String> storage, String key) {
        return of(storage, key, Function.identity(), Function.identity());
    }

    /**
     * This declaration with the received value also put in SLF4J's MDC under {@code mdcKey} while
     * a request runs in the context a server filter extracted (when SLF4J is on the class path).
     * With {@code asynclocal-slf4j} the MDC value follows the request through every hop.
     *
     * @param mdcKey the MDC key, or {@code null} for none
     * @return a declaration with that MDC key
     * @throws IllegalArgumentException if {@code mdcKey} is empty
     */
    public PropagatedStorage<T> withMdcKey(String mdcKey) {
        if (mdcKey != null && mdcKey.isEmpty()) {
            throw new IllegalArgumentException("MDC key is empty");
        }
        return new PropagatedStorage<>(storage, key, encoder, decoder, mdcKey);
    }

    /**
     * The instance whose store travels.
     *
     * @return the storage
     */
    public AsyncLocalStorage<T> storage() {
        return storage;
    }

    /**
     * The baggage key.
     *
     * @return the key
     */
    public String key() {
        return key;
    }

    /**
     * The MDC key set by server filters.
     *
     * @return the MDC key, or {@code null} for none
     */
    public String mdcKey() {
        return mdcKey;
    }

    /** The current store, encoded; {@code null} when there is nothing to send. May throw. */
    String encodeCurrent() {
        T store = storage.getStore();
        return store == null ? null : encoder.apply(store);
    }

    /** A received value, decoded; {@code null} when it is refused. May throw. */
    T decode(String value) {
        return decoder.apply(value);
    }

    @Override
    public String toString() {
        return "PropagatedStorage[" + key + " <-> " + storage + "]";
    }

    private static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (!W3CLimits.isToken(key)) {
            throw new IllegalArgumentException("baggage key is not an HTTP token: \"" + key + "\"");
        }
        return key;
    }
}
