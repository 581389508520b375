package dev.asynclocal.spring.boot;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stores the starter carries between services: the request id, one string store per key of
 * {@code asynclocal.propagated}, and every {@link PropagatedStorage} bean of the application. The
 * core keeps no registry of {@code AsyncLocalStorage} instances (an instance nobody references can
 * be garbage-collected); this is the starter's own list, for the propagation and the actuator.
 */
public final class DeclaredStores {
    private final Map<String, PropagatedStorage<?>> byKey;
    private final Map<String, AsyncLocalStorage<String>> fromProperties;
    private final BaggagePropagation propagation;

    DeclaredStores(List<PropagatedStorage<?>> declared, Map<String, AsyncLocalStorage<String>> fromProperties) {
        Map<String, PropagatedStorage<?>> keys = new LinkedHashMap<>();
        for (PropagatedStorage<?> storage : declared) {
            PropagatedStorage<?> before = keys.putIfAbsent(storage.key(), storage);
            if (before != null && before != storage) {
                throw new IllegalStateException("two stores are declared with the baggage key '" + storage.key()
                        + "': " + before + " and " + storage);
            }
        }
        this.byKey = Collections.unmodifiableMap(keys);
        this.fromProperties = Collections.unmodifiableMap(new LinkedHashMap<>(fromProperties));
        this.propagation = BaggagePropagation.of(new ArrayList<>(keys.values()));
    }

    /**
     * The string store declared with {@code asynclocal.propagated} under {@code key}.
     *
     * @param key a key of {@code asynclocal.propagated}
     * @return its storage
     * @throws IllegalArgumentException if no such key is declared
     */
    public AsyncLocalStorage<String> storage(String key) {
        AsyncLocalStorage<String> storage = fromProperties.get(key);
        if (storage == null) {
            throw new IllegalArgumentException("no store is declared under '" + key + "' in asynclocal.propagated "
                    + fromProperties.keySet());
        }
        return storage;
    }

    /**
     * Every declared store, by baggage key, in declaration order.
     *
     * @return the declarations
     */
    public Map<String, PropagatedStorage<?>> all() {
        return byKey;
    }

    /**
     * The W3C propagation of the declared stores, as the filters and HTTP clients use it.
     *
     * @return the propagation
     */
    public BaggagePropagation propagation() {
        return propagation;
    }

    @Override
    public String toString() {
        return "DeclaredStores" + byKey.keySet();
    }
}
