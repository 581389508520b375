package dev.asynclocal.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;

/** Client-side helpers: the call key in the metadata, and running code as a client request. */
final class Calls {
    static final CallOptions.Key<String> KEY = CallOptions.Key.create("x-call");

    /** Puts the call's key ({@link #options}) in its metadata, outside any propagation. */
    static final ClientInterceptor CALL_KEY = new ClientInterceptor() {
        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                CallOptions callOptions, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
                @Override
                public void start(Listener<RespT> responseListener, Metadata headers) {
                    String key = callOptions.getOption(KEY);
                    if (key != null) {
                        headers.put(Recorder.CALL_KEY, key);
                    }
                    super.start(responseListener, headers);
                }
            };
        }
    };

    private Calls() {
    }

    /** Options of a call keyed {@code id}, with a one-minute deadline. */
    static CallOptions options(String id) {
        return CallOptions.DEFAULT.withOption(KEY, id).withDeadlineAfter(1, TimeUnit.MINUTES);
    }

    /** The user the tests give the request {@code id}. */
    static String userOf(String id) {
        return "user-of-" + id;
    }

    /** Runs {@code body} as the client request {@code id}: its id, user, and a store never sent. */
    static <X extends Throwable> void asClient(String id, ThrowingRunnable<X> body) throws X {
        Stores.CLIENT_ID.<Void, X>run(id, () -> Stores.CLIENT_USER.<Void, X>run(userOf(id),
                () -> Stores.CLIENT_LOCAL.<Void, X>run("local-" + id, () -> {
                    body.run();
                    return null;
                })));
    }

    @FunctionalInterface
    interface ThrowingRunnable<X extends Throwable> {
        void run() throws X;
    }
}
