package dev.asynclocal.grpc;

import io.grpc.Deadline;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * What code saw of the context at one point: every store of the tests, the MDC's request id,
 * gRPC's deadline, and OpenTelemetry's current span.
 */
record View(String where, String thread, String clientId, String clientUser, String clientLocal, String serverId,
        String serverUser, String serverLocal, String mdcId, Long deadlineMillis, String traceId, String spanId) {

    static View now(String where) {
        Deadline deadline = io.grpc.Context.current().getDeadline();
        SpanContext span = Span.current().getSpanContext();
        return new View(where, Thread.currentThread().getName(), Stores.CLIENT_ID.getStore(),
                Stores.CLIENT_USER.getStore(), Stores.CLIENT_LOCAL.getStore(), Stores.SERVER_ID.getStore(),
                Stores.SERVER_USER.getStore(), Stores.SERVER_LOCAL.getStore(), MDC.get("requestId"),
                deadline == null ? null : deadline.timeRemaining(TimeUnit.MILLISECONDS),
                span.isValid() ? span.getTraceId() : null, span.isValid() ? span.getSpanId() : null);
    }

    /** No store of any side, no MDC id, no deadline, no span. */
    boolean isEmpty() {
        return clientId == null && clientUser == null && clientLocal == null && serverId == null && serverUser == null
                && serverLocal == null && mdcId == null && deadlineMillis == null && traceId == null;
    }

    /** Exactly what a server callback of the call {@code id} by {@code user} must see. */
    boolean isServerOf(String id, String user) {
        return Objects.equals(serverId, id) && Objects.equals(serverUser, user) && Objects.equals(mdcId, id)
                && clientId == null && clientUser == null && clientLocal == null && serverLocal == null;
    }

    /** Exactly what a client callback of the call {@code id} by {@code user} must see. */
    boolean isClientOf(String id, String user) {
        return Objects.equals(clientId, id) && Objects.equals(clientUser, user)
                && Objects.equals(clientLocal, "local-" + id) && serverId == null && serverUser == null
                && serverLocal == null;
    }
}
