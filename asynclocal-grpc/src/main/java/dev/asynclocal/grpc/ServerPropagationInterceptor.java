package dev.asynclocal.grpc;

import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.IncomingContext;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Objects;

/**
 * A gRPC {@link ServerInterceptor} that runs each incoming call in the context its caller sent.
 * <pre>{@code
 * Server server = ServerBuilder.forPort(port)
 *         .addService(service)
 *         .intercept(ServerPropagationInterceptor.create(PROPAGATION))
 *         .build();
 * }</pre>
 *
 * <p>The call's metadata is read once, when it arrives, as {@link BaggagePropagation#extract}
 * reads HTTP headers: the declared stores decoded from {@code baggage}, OpenTelemetry's context
 * with the caller's span (from {@code traceparent}) as remote parent. Malformed or oversized
 * entries, and values a decoder refuses, are dropped with a debug line; nothing a caller sends
 * makes the call fail here. (Metadata over the server's own limit,
 * {@code maxInboundMetadataSize}, 8 KiB by default, is refused by gRPC before any interceptor
 * runs.)
 *
 * <p>Then the handler's {@code startCall} (where a streaming method of a stub-based service
 * runs) and every callback of its {@link ServerCall.Listener} ({@code onMessage},
 * {@code onHalfClose} where a unary method runs, {@code onCancel}, {@code onComplete},
 * {@code onReady}) run in that context, on whatever executor gRPC runs them:
 * <ul>
 *   <li>each declared storage holds its received store, or none;</li>
 *   <li>no other asynclocal store is set, whatever the thread had: the call sees what came over
 *       the wire, also on the in-process transport, where the call may run on its caller's
 *       thread;</li>
 *   <li>gRPC's {@code io.grpc.Context} is the call's (its deadline, its cancellation), so with a
 *       storage override that keeps it in the asynclocal context (see
 *       {@link GrpcContextStorage}), every task the handler hands on carries the deadline;</li>
 *   <li>OpenTelemetry's current context holds the remote parent span and the received baggage,
 *       and the MDC keys declared with {@code withMdcKey} hold the received values.</li>
 * </ul>
 * When a callback returns or throws, the thread's previous context is back, whole: nothing of
 * the call stays on a gRPC thread.
 *
 * <p>Register it so that it runs before interceptors that need the context (gRPC runs the
 * interceptor added last first). Thread-safe; one instance serves any number of services.
 */
public final class ServerPropagationInterceptor implements ServerInterceptor {
    private final BaggagePropagation propagation;

    private ServerPropagationInterceptor(BaggagePropagation propagation) {
        this.propagation = propagation;
    }

    /**
     * An interceptor that extracts with {@code propagation}.
     *
     * @param propagation the declarations of what travels
     * @return a new interceptor
     * @throws NullPointerException if {@code propagation} is {@code null}
     */
    public static ServerPropagationInterceptor create(BaggagePropagation propagation) {
        Objects.requireNonNull(propagation, "propagation");
        GrpcContextStorage.warnIfSeveralOverrides();
        return new ServerPropagationInterceptor(propagation);
    }

    /**
     * The propagation in use.
     *
     * @return the propagation
     */
    public BaggagePropagation propagation() {
        return propagation;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        IncomingContext incoming = propagation.extract(headers, MetadataCarrier.GETTER);
        // gRPC runs this, and each listener callback, with the call's own context attached.
        CallContext context = new CallContext(incoming, io.grpc.Context.current());
        ServerCall.Listener<ReqT> listener = context.call(() -> next.startCall(call, headers));
        return new IncomingContextListener<>(listener, context);
    }

    @Override
    public String toString() {
        return "ServerPropagationInterceptor[" + propagation + "]";
    }

    private static final class IncomingContextListener<ReqT>
            extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
        private final CallContext context;

        IncomingContextListener(ServerCall.Listener<ReqT> delegate, CallContext context) {
            super(delegate);
            this.context = context;
        }

        @Override
        public void onMessage(ReqT message) {
            context.run(() -> super.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            context.run(super::onHalfClose);
        }

        @Override
        public void onCancel() {
            context.run(super::onCancel);
        }

        @Override
        public void onComplete() {
            context.run(super::onComplete);
        }

        @Override
        public void onReady() {
            context.run(super::onReady);
        }
    }
}
