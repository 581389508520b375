package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** On Java 21+, HttpClient's lifecycle methods reach the wrapped client. */
class HttpClientLifecycleTest {
    private static final BaggagePropagation PROPAGATION =
            BaggagePropagation.of(PropagatedStorage.ofString(new AsyncLocalStorage<>(), "k"));

    @Test
    void closeShutdownAndTerminationAreTheWrappedClients() throws Exception {
        HttpClient real = HttpClient.newHttpClient();
        HttpClient wrapped = PROPAGATION.wrap(real);
        assertThat(wrapped.isTerminated()).isFalse();
        wrapped.shutdown();
        assertThat(wrapped.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(real.isTerminated()).isTrue();
        assertThat(wrapped.isTerminated()).isTrue();

        HttpClient other = HttpClient.newHttpClient();
        try (HttpClient closing = PROPAGATION.wrap(other)) {
            assertThat(closing.isTerminated()).isFalse();
        }
        assertThat(other.isTerminated()).isTrue();
        HttpClient third = HttpClient.newHttpClient();
        PROPAGATION.wrap(third).shutdownNow();
        assertThat(third.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }
}
