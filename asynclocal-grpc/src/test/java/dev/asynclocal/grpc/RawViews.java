package dev.asynclocal.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Records what gRPC's threads hold before the propagation interceptors run: a server interceptor
 * registered to run first (outermost) and a client interceptor registered to run last (innermost,
 * so its listener is called by the transport before the propagation's). What they see is whatever
 * gRPC, the agent and earlier calls left on the thread.
 */
final class RawViews {
    private RawViews() {
    }

    static ServerInterceptor server(Recorder recorder) {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                String key = headers.get(Recorder.CALL_KEY);
                recorder.record(key, "raw.server.startCall");
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                    @Override
                    public void onMessage(ReqT message) {
                        recorder.record(key, "raw.server.onMessage");
                        super.onMessage(message);
                    }

                    @Override
                    public void onHalfClose() {
                        recorder.record(key, "raw.server.onHalfClose");
                        super.onHalfClose();
                    }

                    @Override
                    public void onComplete() {
                        recorder.record(key, "raw.server.onComplete");
                        super.onComplete();
                    }
                };
            }
        };
    }

    static ClientInterceptor client(Recorder recorder) {
        return new ClientInterceptor() {
            @Override
            public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                    CallOptions callOptions, Channel next) {
                String key = callOptions.getOption(Calls.KEY);
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
                    @Override
                    public void start(Listener<RespT> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onMessage(RespT message) {
                                recorder.record(key, "raw.client.onMessage");
                                super.onMessage(message);
                            }

                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                recorder.record(key, "raw.client.onClose");
                                super.onClose(status, trailers);
                            }
                        }, headers);
                    }
                };
            }
        };
    }
}
