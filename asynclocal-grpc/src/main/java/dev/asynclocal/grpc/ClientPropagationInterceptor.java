package dev.asynclocal.grpc;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Objects;

/**
 * A gRPC {@link ClientInterceptor} that sends the caller's context with each call, and runs the
 * call's response callbacks in it.
 * <pre>{@code
 * ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port)
 *         .intercept(ClientPropagationInterceptor.create(PROPAGATION))
 *         .build();
 * }</pre>
 *
 * <p><b>Sending.</b> When the call starts ({@link ClientCall#start}, which every stub calls right
 * away), the headers of the current context are put in the call's {@link Metadata}, under the names
 * HTTP uses: {@code traceparent} (and {@code tracestate}) when a valid span is current, and
 * {@code baggage} with the declared stores of the {@link BaggagePropagation} and OpenTelemetry's
 * current baggage. They replace any entry of those names the application had put there; with
 * nothing to send the metadata is left alone. See {@link BaggagePropagation#headers()} for the
 * encoding and its limits. A codec that throws leaves its entry out; nothing here fails the call.
 *
 * <p><b>Receiving.</b> The call's listener runs in the asynclocal context current at
 * {@code start}: {@code onHeaders}, {@code onMessage}, {@code onClose} and {@code onReady}, on
 * whatever thread gRPC calls them, and whatever that thread had before is back afterwards. So the
 * {@code StreamObserver} of an async stub, and a callback that a future stub's future runs on the
 * thread that completes it ({@code directExecutor()}), see the caller's stores; so does
 * OpenTelemetry's context with {@code asynclocal-opentelemetry}'s storage, and SLF4J's MDC with
 * {@code asynclocal-slf4j}. A future callback given an executor runs where that executor runs it
 * (an {@code AsyncExecutors} wrapper, or any JDK pool under the agent, carries the context of the
 * code that added the callback).
 *
 * <p>Thread-safe; one instance serves any number of channels.
 */
public final class ClientPropagationInterceptor implements ClientInterceptor {
    private final BaggagePropagation propagation;

    private ClientPropagationInterceptor(BaggagePropagation propagation) {
        this.propagation = propagation;
    }

    /**
     * An interceptor that sends what {@code propagation} declares.
     *
     * @param propagation the declarations of what travels
     * @return a new interceptor
     * @throws NullPointerException if {@code propagation} is {@code null}
     */
    public static ClientPropagationInterceptor create(BaggagePropagation propagation) {
        Objects.requireNonNull(propagation, "propagation");
        GrpcContextStorage.warnIfSeveralOverrides();
        return new ClientPropagationInterceptor(propagation);
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
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
            CallOptions callOptions, Channel next) {
        return new PropagatingCall<>(next.newCall(method, callOptions), propagation);
    }

    @Override
    public String toString() {
        return "ClientPropagationInterceptor[" + propagation + "]";
    }

    private static final class PropagatingCall<ReqT, RespT>
            extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
        private final BaggagePropagation propagation;

        PropagatingCall(ClientCall<ReqT, RespT> delegate, BaggagePropagation propagation) {
            super(delegate);
            this.propagation = propagation;
        }

        @Override
        public void start(Listener<RespT> responseListener, Metadata headers) {
            // gRPC's own call rejects nulls too, but it would see our wrapper, not the null.
            Objects.requireNonNull(responseListener, "responseListener");
            Objects.requireNonNull(headers, "headers");
            try {
                MetadataCarrier.replace(headers, propagation.headers());
            } catch (RuntimeException e) {
                // headers() never throws for a store; this is a defect elsewhere, and still no
                // reason to fail the call: it goes without the context.
                Log.debug(() -> "context not sent with a call: writing its headers failed", e);
            }
            super.start(new CallerContextListener<>(responseListener, AsyncLocalStorage.snapshot()), headers);
        }
    }

    /** The response listener, run in the context of the code that started the call. */
    private static final class CallerContextListener<RespT>
            extends ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT> {
        private final Snapshot caller;

        CallerContextListener(ClientCall.Listener<RespT> delegate, Snapshot caller) {
            super(delegate);
            this.caller = caller;
        }

        @Override
        public void onHeaders(Metadata headers) {
            caller.run(() -> super.onHeaders(headers));
        }

        @Override
        public void onMessage(RespT message) {
            caller.run(() -> super.onMessage(message));
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            caller.run(() -> super.onClose(status, trailers));
        }

        @Override
        public void onReady() {
            caller.run(super::onReady);
        }
    }
}
