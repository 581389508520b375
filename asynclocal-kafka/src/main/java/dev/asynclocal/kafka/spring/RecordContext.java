package dev.asynclocal.kafka.spring;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import dev.asynclocal.kafka.KafkaPropagation;
import dev.asynclocal.opentelemetry.IncomingContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One record's context, opened on the consumer thread by {@link ContextRecordInterceptor} and
 * closed there: the empty context, the record's stores on it, and the span that Spring Kafka's
 * observation started for the record, if one is current.
 */
final class RecordContext {
    private final AsyncLocalStorage.Scope empty;
    private final AsyncLocalStorage.Scope stores;
    private final Scope span;
    /** OpenTelemetry's current context once everything above is open. */
    private final Context inside;
    /** Whether an OpenTelemetry context was current when this opened: someone's scope surrounds it. */
    private final boolean surrounded;
    private boolean closed;

    private RecordContext(AsyncLocalStorage.Scope empty, AsyncLocalStorage.Scope stores, Scope span,
            Context inside, boolean surrounded) {
        this.empty = empty;
        this.stores = stores;
        this.span = span;
        this.inside = inside;
        this.surrounded = surrounded;
    }

    static RecordContext open(KafkaPropagation propagation, ConsumerRecord<?, ?> record) {
        Context outer = Context.current();
        IncomingContext incoming = propagation.extract(record);
        Span kept = spanToKeep(outer, incoming.otelContext());
        AsyncLocalStorage.Scope empty = Snapshot.empty().attach();
        AsyncLocalStorage.Scope stores;
        Scope span = null;
        try {
            stores = incoming.open();
            if (kept != null) {
                try {
                    span = Context.current().with(kept).makeCurrent();
                } catch (RuntimeException | Error e) {
                    stores.close();
                    throw e;
                }
            }
        } catch (RuntimeException | Error e) {
            empty.close();
            throw e;
        }
        return new RecordContext(empty, stores, span, Context.current(), outer != Context.root());
    }

    /**
     * The span current when the record's context opens, if it belongs to the record: Spring Kafka's
     * observation (when on, with a tracer) starts the record's span just before the interceptor, as
     * a child of the record's {@code traceparent}, or as a new trace when the record carries none.
     * Spans started by the listener are then its children, as they would be without asynclocal.
     * A span of another trace is not the record's and is not kept.
     */
    private static Span spanToKeep(Context outer, Context extracted) {
        Span span = Span.fromContextOrNull(outer);
        if (span == null || !span.getSpanContext().isValid()) {
            return null;
        }
        SpanContext remote = Span.fromContext(extracted).getSpanContext();
        if (remote.isValid() && !remote.getTraceId().equals(span.getSpanContext().getTraceId())) {
            return null;
        }
        return span;
    }

    /**
     * Whether to close at the listener's {@code success} or {@code failure} rather than at
     * {@code afterRecord}: when a scope surrounds this one (Spring's observation scope, which it
     * closes before {@code afterRecord}), closing after it would restore what the observation had
     * current and leave that on the thread. Only when nothing the listener opened is still open.
     */
    boolean closesEarly() {
        return surrounded && Context.current() == inside;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (span != null) {
                span.close();
            }
            stores.close();
        } finally {
            empty.close();
        }
    }
}
