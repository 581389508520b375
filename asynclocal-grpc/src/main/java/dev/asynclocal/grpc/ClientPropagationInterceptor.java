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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * <p><b>Size.</b> W3C Baggage allows 8192 bytes, but a gRPC server takes 8 KiB of metadata in all
 * by default ({@code maxInboundMetadataSize}) and fails a call that brings more. So the
 * {@code baggage} entry is kept to {@value #DEFAULT_MAX_BAGGAGE_BYTES} bytes unless
 * {@link #withMaxBaggageBytes} says otherwise: when it would be longer, whole members are left out
 * (with a debug line naming their keys), the declared stores' members kept first.
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
    /** The default limit of the {@code baggage} entry: half of what a gRPC server takes by default. */
    public static final int DEFAULT_MAX_BAGGAGE_BYTES = 4096;
    /** The W3C Baggage limit, the most {@link #withMaxBaggageBytes} allows. */
    public static final int W3C_MAX_BAGGAGE_BYTES = 8192;

    private final BaggagePropagation propagation;
    private final int maxBaggageBytes;
    private final Set<String> declaredKeys;

    private ClientPropagationInterceptor(BaggagePropagation propagation, int maxBaggageBytes) {
        this.propagation = propagation;
        this.maxBaggageBytes = maxBaggageBytes;
        Set<String> keys = new HashSet<>();
        propagation.storages().forEach(storage -> keys.add(storage.key()));
        this.declaredKeys = Set.copyOf(keys);
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
        return new ClientPropagationInterceptor(propagation, DEFAULT_MAX_BAGGAGE_BYTES);
    }

    /**
     * This interceptor with another limit for the {@code baggage} entry; raise it only for servers
     * that take more metadata than gRPC's default 8 KiB.
     *
     * @param maxBytes the most bytes the entry may have, 1 to {@value #W3C_MAX_BAGGAGE_BYTES}
     * @return an interceptor with that limit
     * @throws IllegalArgumentException if {@code maxBytes} is out of range
     */
    public ClientPropagationInterceptor withMaxBaggageBytes(int maxBytes) {
        if (maxBytes < 1 || maxBytes > W3C_MAX_BAGGAGE_BYTES) {
            throw new IllegalArgumentException("max baggage bytes must be 1 to " + W3C_MAX_BAGGAGE_BYTES + ": " + maxBytes);
        }
        return new ClientPropagationInterceptor(propagation, maxBytes);
    }

    /**
     * The limit of the {@code baggage} entry.
     *
     * @return the most bytes it may have
     */
    public int maxBaggageBytes() {
        return maxBaggageBytes;
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
        return new PropagatingCall<>(next.newCall(method, callOptions), this);
    }

    /** The fields to put in a call's metadata now: the propagation's, the baggage within its limit. */
    Map<String, String> fields() {
        Map<String, String> fields = propagation.headers();
        String baggage = fields.get("baggage");
        if (baggage != null && baggage.length() > maxBaggageBytes) {
            List<String> dropped = new ArrayList<>();
            String trimmed = BaggageTrim.trim(baggage, declaredKeys, maxBaggageBytes, dropped);
            Log.debug(() -> "baggage entries " + dropped + " not sent: the baggage would exceed "
                    + maxBaggageBytes + " bytes");
            if (trimmed == null) {
                fields.remove("baggage");
            } else {
                fields.put("baggage", trimmed);
            }
        }
        return fields;
    }

    @Override
    public String toString() {
        return "ClientPropagationInterceptor[" + propagation + ", max baggage " + maxBaggageBytes + " bytes]";
    }

    private static final class PropagatingCall<ReqT, RespT>
            extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
        private final ClientPropagationInterceptor interceptor;

        PropagatingCall(ClientCall<ReqT, RespT> delegate, ClientPropagationInterceptor interceptor) {
            super(delegate);
            this.interceptor = interceptor;
        }

        @Override
        public void start(Listener<RespT> responseListener, Metadata headers) {
            // gRPC's own call rejects nulls too, but it would see our wrapper, not the null.
            Objects.requireNonNull(responseListener, "responseListener");
            Objects.requireNonNull(headers, "headers");
            try {
                MetadataCarrier.replace(headers, interceptor.fields());
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
