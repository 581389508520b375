package dev.asynclocal.slf4j;

import java.util.Map;
import org.apache.logging.log4j.core.util.ContextDataProvider;

/**
 * Hands the asynclocal MDC to Log4j 2: Log4j finds this class through {@link java.util.ServiceLoader}
 * and merges what it supplies into every log event's context data, so {@code %X{key}} in a
 * pattern sees values put with SLF4J's {@code MDC} inside an asynclocal context.
 *
 * <p>Registered in {@code META-INF/services}; there is nothing to configure. Without
 * {@link AsyncLocalServiceProvider} installed, SLF4J's {@code MDC} writes to Log4j's
 * {@code ThreadContext} as usual and this provider supplies an empty map.
 */
public final class AsyncLocalContextDataProvider implements ContextDataProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public AsyncLocalContextDataProvider() {
    }

    /**
     * The current context's MDC. The map is immutable and never changes afterwards, so Log4j
     * can keep it in the event without a copy.
     *
     * @return the MDC values of the current context, empty when none
     */
    @Override
    public Map<String, String> supplyContextData() {
        return MdcState.values();
    }

    @Override
    public Object getValue(String key) {
        return MdcState.get(key);
    }
}
