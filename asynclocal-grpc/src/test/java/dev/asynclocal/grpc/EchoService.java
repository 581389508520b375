package dev.asynclocal.grpc;

import dev.asynclocal.AsyncExecutors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The test service. Every request message is the key of its call; each method records what it saw
 * and answers with the request id it saw. {@code "hold"} as a bidi message makes the server wait for
 * the client to cancel.
 */
final class EchoService {
    private EchoService() {
    }

    /**
     * @param recorder where the views go
     * @param pool where the server-streaming method sends its last response from: an asynclocal hop
     */
    static ServerServiceDefinition create(Recorder recorder, Executor pool) {
        Executor hop = AsyncExecutors.wrap(pool);
        return ServerServiceDefinition.builder(Echo.SERVICE)
                .addMethod(Echo.UNARY, ServerCalls.asyncUnaryCall((request, responses) -> {
                    recorder.record(request, "server.unary");
                    responses.onNext(answer(request));
                    responses.onCompleted();
                }))
                .addMethod(Echo.SERVER_STREAMING, ServerCalls.asyncServerStreamingCall((request, responses) -> {
                    recorder.record(request, "server.split");
                    responses.onNext(answer(request));
                    responses.onNext(answer(request));
                    hop.execute(() -> {
                        recorder.record(request, "server.split.hop");
                        responses.onNext(answer(request));
                        responses.onCompleted();
                    });
                }))
                .addMethod(Echo.CLIENT_STREAMING, ServerCalls.asyncClientStreamingCall(responses -> new StreamObserver<String>() {
                    private volatile String key;

                    @Override
                    public void onNext(String message) {
                        key = message;
                        recorder.record(message, "server.join.onNext");
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        recorder.record(key, "server.join.onCompleted");
                        responses.onNext(answer(key));
                        responses.onCompleted();
                    }
                }))
                .addMethod(Echo.BIDI_STREAMING, ServerCalls.asyncBidiStreamingCall(responses -> {
                    AtomicReference<String> key = new AtomicReference<>();
                    // gRPC takes the cancel handler only while the method sets the call up.
                    ((ServerCallStreamObserver<String>) responses).setOnCancelHandler(() -> {
                        if (key.get() != null) {
                            recorder.record(key.get(), "server.chat.onCancelHandler");
                        }
                    });
                    return new StreamObserver<String>() {
                        @Override
                        public void onNext(String message) {
                            if (message.equals("hold")) {
                                recorder.record(key.get(), "server.chat.hold");
                                return;
                            }
                            key.set(message);
                            recorder.record(message, "server.chat.onNext");
                            responses.onNext(answer(message));
                        }

                        @Override
                        public void onError(Throwable t) {
                            recorder.record(key.get(), "server.chat.onError");
                        }

                        @Override
                        public void onCompleted() {
                            recorder.record(key.get(), "server.chat.onCompleted");
                            responses.onCompleted();
                        }
                    };
                }))
                .build();
    }

    private static String answer(String request) {
        return request + ":" + Stores.SERVER_ID.getStore();
    }
}
