package dev.asynclocal.grpc;

import dev.asynclocal.Snapshot;
import dev.asynclocal.opentelemetry.IncomingContext;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.function.Supplier;

/**
 * The context one incoming call runs in, entered afresh around each of its callbacks: the empty
 * context, the received stores ({@link IncomingContext}), then the call's gRPC context, then the
 * received span and baggage once more.
 *
 * <p>Why the last step: with gRPC's OpenTelemetry storage override, gRPC's context lives inside
 * OpenTelemetry's, and attaching it brings back the OpenTelemetry context that was current where
 * it was read (the gRPC thread's), so the received span and baggage go on top of it again. The
 * incoming context holds nothing else of OpenTelemetry's: the W3C propagators extract into the root
 * context. With any other storage the step changes nothing.
 */
final class CallContext {
    private final IncomingContext incoming;
    private final io.grpc.Context grpcContext;
    private final Span span;
    private final Baggage baggage;

    CallContext(IncomingContext incoming, io.grpc.Context grpcContext) {
        this.incoming = incoming;
        this.grpcContext = grpcContext;
        this.span = Span.fromContext(incoming.otelContext());
        this.baggage = Baggage.fromContext(incoming.otelContext());
    }

    void run(Runnable callback) {
        call(() -> {
            callback.run();
            return null;
        });
    }

    <R> R call(Supplier<R> callback) {
        return Snapshot.empty().run(() -> incoming.run(() -> inGrpcContext(callback)));
    }

    @SuppressWarnings("try")
    private <R> R inGrpcContext(Supplier<R> callback) {
        io.grpc.Context previous = grpcContext.attach();
        try {
            try (Scope ignored = Context.current().with(span).with(baggage).makeCurrent()) {
                return callback.get();
            }
        } finally {
            grpcContext.detach(previous);
        }
    }
}
