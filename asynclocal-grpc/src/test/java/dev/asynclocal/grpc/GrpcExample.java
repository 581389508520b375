package dev.asynclocal.grpc;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The example of docs/grpc.md: a greeter service and its client, each with the propagation
 * interceptor, on Netty on loopback. (One JVM here, so both sides share the declarations; across
 * processes each side declares the same keys.)
 */
public final class GrpcExample {
    // snippet:start declare
    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static final BaggagePropagation PROPAGATION = BaggagePropagation.of(
            PropagatedStorage.ofString(REQUEST_ID, "requestId"),
            PropagatedStorage.ofString(USER, "user").withMdcKey("user"));
    // snippet:end declare

    /** The handler's pool; one per run of {@link #main}. */
    private static ExecutorService workers;

    private GrpcExample() {
    }

    public static void main(String[] args) throws Exception {
        workers = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
        // snippet:start server
        Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(greeter())
                .intercept(ServerPropagationInterceptor.create(PROPAGATION))
                .build()
                .start();
        // snippet:end server
        int port = server.getPort();
        // snippet:start channel
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, InsecureChannelCredentials.create())
                .intercept(ClientPropagationInterceptor.create(PROPAGATION))
                .build();
        // snippet:end channel
        try {
            CountDownLatch done = new CountDownLatch(1);
            // snippet:start call
            REQUEST_ID.run("req-7", () -> USER.run("alice", () ->
                    ClientCalls.asyncUnaryCall(channel.newCall(Greeter.GREET, CallOptions.DEFAULT), "hello",
                            new StreamObserver<String>() {
                                @Override
                                public void onNext(String reply) {          // on a gRPC thread, in req-7's context
                                    System.out.println("client got \"" + reply + "\" in " + REQUEST_ID.getStore());
                                }

                                @Override
                                public void onError(Throwable t) {
                                    done.countDown();
                                }

                                @Override
                                public void onCompleted() {
                                    done.countDown();
                                }
                            })));
            // snippet:end call
            done.await(30, TimeUnit.SECONDS);
        } finally {
            channel.shutdownNow().awaitTermination(30, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(30, TimeUnit.SECONDS);
            workers.shutdownNow();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    // snippet:start handler
    static void greet(String request, StreamObserver<String> responses) {
        // the caller's stores, here and in every task the handler hands on
        System.out.println("server: " + request + " from " + USER.getStore() + " in " + REQUEST_ID.getStore());
        workers.execute(() -> {
            responses.onNext("hello " + USER.getStore());
            responses.onCompleted();
        });
    }
    // snippet:end handler

    private static ServerServiceDefinition greeter() {
        return ServerServiceDefinition.builder(Greeter.SERVICE)
                .addMethod(Greeter.GREET, ServerCalls.asyncUnaryCall(GrpcExample::greet))
                .build();
    }

    /** What protoc would generate for the service; written by hand to keep the example short. */
    static final class Greeter {
        static final String SERVICE = "example.Greeter";
        static final io.grpc.MethodDescriptor<String, String> GREET =
                Echo.UNARY.toBuilder().setFullMethodName(SERVICE + "/Greet").build();

        private Greeter() {
        }
    }
}
