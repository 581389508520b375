package dev.asynclocal.spring.boot;

import dev.asynclocal.opentelemetry.BaggagePropagation;
import java.util.Map;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Adds the headers of the calling code's context (W3C {@code baggage} with the declared stores,
 * {@code traceparent} when a span is current) to every request of a {@code RestClient} or
 * {@code RestTemplate}, replacing headers of the same names.
 */
final class OutboundBaggage implements ClientHttpRequestInterceptor {
    private final BaggagePropagation propagation;

    OutboundBaggage(BaggagePropagation propagation) {
        this.propagation = propagation;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws java.io.IOException {
        Map<String, String> headers = propagation.headers();
        if (!headers.isEmpty()) {
            for (String name : BaggagePropagation.headerNames()) {
                SpringHeaders.remove(request.getHeaders(), name);
            }
            headers.forEach(request.getHeaders()::set);
        }
        return execution.execute(request, body);
    }
}
