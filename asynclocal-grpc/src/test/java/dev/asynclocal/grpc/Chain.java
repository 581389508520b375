package dev.asynclocal.grpc;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import io.grpc.CallOptions;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A service that calls a second one, both on Netty on loopback: a client calls A; A's handler hands
 * the call to B to a pool (an asynclocal hop: {@code AsyncCompletableFuture.supplyAsync} on an
 * {@code AsyncExecutors} wrapper, so it works without the agent), and answers from the stage that
 * gets B's answer. A and B have their own stores, each declared under the key {@code requestId}
 * with its MDC key, so an id B sees came through two hops of metadata. Both log each step on the
 * SLF4J logger {@code service}.
 *
 * <p>A request {@code "<id>;wait"} makes B wait for its call to be cancelled instead of answering,
 * and remember why it was: by the deadline that came through A, or by a cancellation.
 */
final class Chain implements AutoCloseable {
    static final AsyncLocalStorage<String> A_ID = new AsyncLocalStorage<>("a.requestId");
    static final AsyncLocalStorage<String> B_ID = new AsyncLocalStorage<>("b.requestId");
    static final BaggagePropagation A = BaggagePropagation.of(
            PropagatedStorage.ofString(A_ID, "requestId").withMdcKey("requestId"));
    static final BaggagePropagation B = BaggagePropagation.of(
            PropagatedStorage.ofString(B_ID, "requestId").withMdcKey("requestId"));

    static final MethodDescriptor<String, String> CALL_A = unary("test.A/Call");
    static final MethodDescriptor<String, String> CALL_B = unary("test.B/Call");

    private static final Logger log = LoggerFactory.getLogger("service");

    /** What B saw of a request: its store, MDC, deadline; and, for waiting requests, the cause of cancellation. */
    record Seen(String bId, String mdcId, Long deadlineMillis, String thread) {
    }

    final Map<String, Seen> seenByB = new ConcurrentHashMap<>();
    final Map<String, Throwable> cancellationsOfB = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final Transport b;
    private final Transport a;
    final ManagedChannel toA;

    Chain() throws Exception {
        pool = Executors.newFixedThreadPool(4, Transport.named("a-hop"));
        b = Transport.start(Transport.Kind.NETTY, serviceB(), ServerPropagationInterceptor.create(B));
        ManagedChannel toB = b.channel(ClientPropagationInterceptor.create(A));
        a = Transport.start(Transport.Kind.NETTY, serviceA(toB, AsyncExecutors.wrap(pool)),
                ServerPropagationInterceptor.create(A));
        toA = a.channel(ClientPropagationInterceptor.create(Stores.CLIENT));
    }

    private static ServerServiceDefinition serviceA(ManagedChannel toB, Executor hop) {
        return ServerServiceDefinition.builder("test.A")
                .addMethod(CALL_A, ServerCalls.asyncUnaryCall((request, responses) -> {
                    log.info("A received {}", request);
                    AsyncCompletableFuture.supplyAsync(
                                    () -> ClientCalls.blockingUnaryCall(toB, CALL_B, CallOptions.DEFAULT, request), hop)
                            .whenComplete((answer, error) -> {
                                log.info("A answered {}", request);
                                if (error != null) {
                                    responses.onError(Status.fromThrowable(error).asRuntimeException());
                                } else {
                                    responses.onNext("A saw " + A_ID.getStore() + ", " + answer);
                                    responses.onCompleted();
                                }
                            });
                }))
                .build();
    }

    private ServerServiceDefinition serviceB() {
        return ServerServiceDefinition.builder("test.B")
                .addMethod(CALL_B, ServerCalls.asyncUnaryCall((request, responses) -> {
                    log.info("B received {}", request);
                    Deadline deadline = io.grpc.Context.current().getDeadline();
                    seenByB.put(request, new Seen(B_ID.getStore(), MDC.get("requestId"),
                            deadline == null ? null : deadline.timeRemaining(TimeUnit.MILLISECONDS),
                            Thread.currentThread().getName()));
                    if (request.endsWith(";wait")) {
                        io.grpc.Context.current().addListener(
                                context -> cancellationsOfB.put(request, context.cancellationCause()), Runnable::run);
                        return;
                    }
                    responses.onNext("B saw " + B_ID.getStore());
                    responses.onCompleted();
                }))
                .build();
    }

    @Override
    public void close() {
        a.close();
        b.close();
        pool.shutdownNow();
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the chain", e);
        }
    }

    private static MethodDescriptor<String, String> unary(String name) {
        return Echo.UNARY.toBuilder().setFullMethodName(name).build();
    }
}
