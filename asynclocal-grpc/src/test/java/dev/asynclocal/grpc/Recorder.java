package dev.asynclocal.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/** The views seen by the callbacks of each call, by call key (the request id the test chose). */
final class Recorder {
    /** Metadata the tests send outside any propagation, naming the call for the listener recorder. */
    static final Metadata.Key<String> CALL_KEY = Metadata.Key.of("x-call", Metadata.ASCII_STRING_MARSHALLER);

    private final Map<String, Queue<View>> views = new ConcurrentHashMap<>();

    void record(String call, String where) {
        views.computeIfAbsent(call, k -> new ConcurrentLinkedQueue<>()).add(View.now(where));
    }

    List<View> of(String call) {
        Queue<View> seen = views.get(call);
        return seen == null ? List.of() : new ArrayList<>(seen);
    }

    List<String> places(String call) {
        return of(call).stream().map(View::where).toList();
    }

    void clear() {
        views.clear();
    }

    /**
     * A server interceptor recording the view of every listener callback. Registered so that it runs
     * inside the propagation interceptor, as the application's code does.
     */
    ServerInterceptor listenerRecorder() {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                String key = headers.get(CALL_KEY);
                if (key == null) {
                    return next.startCall(call, headers);
                }
                record(key, "server.startCall");
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                    @Override
                    public void onMessage(ReqT message) {
                        record(key, "server.onMessage");
                        super.onMessage(message);
                    }

                    @Override
                    public void onHalfClose() {
                        record(key, "server.onHalfClose");
                        super.onHalfClose();
                    }

                    @Override
                    public void onCancel() {
                        record(key, "server.onCancel");
                        super.onCancel();
                    }

                    @Override
                    public void onComplete() {
                        record(key, "server.onComplete");
                        super.onComplete();
                    }

                    @Override
                    public void onReady() {
                        record(key, "server.onReady");
                        super.onReady();
                    }
                };
            }
        };
    }
}
