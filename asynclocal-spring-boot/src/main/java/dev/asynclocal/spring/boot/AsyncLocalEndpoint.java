package dev.asynclocal.spring.boot;

import dev.asynclocal.ContextLossDetector;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/asynclocal}: the declared stores, whether the agent is installed, and, when
 * the context-loss detector is on, the places where context was lost, most frequent first.
 * Expose it like any endpoint: {@code management.endpoints.web.exposure.include=asynclocal}.
 */
@Endpoint(id = "asynclocal")
public class AsyncLocalEndpoint {
    private static final int TOP_SITES = 20;

    private final DeclaredStores stores;

    AsyncLocalEndpoint(DeclaredStores stores) {
        this.stores = stores;
    }

    /**
     * The report.
     *
     * @return stores, agent and context-loss figures, as JSON-friendly maps and lists
     */
    @ReadOperation
    public Map<String, Object> report() {
        Map<String, Object> report = new LinkedHashMap<>();
        List<Map<String, Object>> declared = new ArrayList<>();
        for (PropagatedStorage<?> storage : stores.all().values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("key", storage.key());
            entry.put("storage", storage.storage().name());
            declared.add(entry);
        }
        report.put("stores", declared);
        report.put("agentInstalled", agentInstalled());
        report.put("contextLoss", contextLoss());
        return report;
    }

    private static Map<String, Object> contextLoss() {
        Map<String, Object> loss = new LinkedHashMap<>();
        boolean enabled = ContextLossDetector.isEnabled();
        loss.put("detectorEnabled", enabled);
        List<ContextLossDetector.Loss> losses = enabled ? ContextLossDetector.losses() : List.of();
        Map<String, Long> byKind = new LinkedHashMap<>();
        long total = 0;
        for (ContextLossDetector.Loss l : losses) {
            byKind.merge(l.kind().name(), l.count(), Long::sum);
            total += l.count();
        }
        loss.put("total", total);
        loss.put("byKind", byKind);
        List<Map<String, Object>> sites = new ArrayList<>();
        losses.stream()
                .sorted(Comparator.comparingLong(ContextLossDetector.Loss::count).reversed())
                .limit(TOP_SITES)
                .forEach(l -> {
                    Map<String, Object> site = new LinkedHashMap<>();
                    site.put("kind", l.kind().name());
                    site.put("storage", l.storageName());
                    site.put("count", l.count());
                    StackTraceElement boundary = l.boundary();
                    site.put("boundary", boundary == null ? null : boundary.toString());
                    site.put("thread", l.threadName());
                    sites.add(site);
                });
        loss.put("topSites", sites);
        return loss;
    }

    /** The agent is optional: asked by name, so the starter never needs its jar. */
    static boolean agentInstalled() {
        try {
            Class<?> agent = Class.forName("dev.asynclocal.agent.AsyncLocalAgent");
            return (Boolean) agent.getMethod("isInstalled").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }
}
