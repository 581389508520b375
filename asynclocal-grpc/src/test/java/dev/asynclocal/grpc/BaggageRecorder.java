package dev.asynclocal.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.baggage.Baggage;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Records OpenTelemetry's baggage as the server's code sees it when a call starts, by call key. */
final class BaggageRecorder implements ServerInterceptor {
    static final Map<String, String> seen = new ConcurrentHashMap<>();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String key = headers.get(Recorder.CALL_KEY);
        if (key != null) {
            Map<String, String> entries = new TreeMap<>((a, b) -> a.equals("tenant") ? -1 : b.equals("tenant") ? 1 : a.compareTo(b));
            Baggage.current().forEach((name, entry) -> entries.put(name, entry.getValue()));
            StringBuilder text = new StringBuilder();
            entries.forEach((name, value) -> text.append(text.length() == 0 ? "" : ";").append(name).append('=').append(value));
            seen.put(key, text.toString());
        }
        return next.startCall(call, headers);
    }
}
