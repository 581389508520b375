package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dio.opentelemetry.context.contextStorageProvider=default}: OpenTelemetry keeps its own
 * thread-local storage although this module is present. Spans then do not follow asynclocal hops,
 * but cross-service propagation, which goes through {@code Context.current()} and
 * {@code makeCurrent()}, still works. Runs in its own JVM (execution
 * {@code storage-selection-default}).
 */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
class StorageSelectionDefaultTest {
    private static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
    private static final BaggagePropagation PROPAGATION = BaggagePropagation.of(PropagatedStorage.ofString(USER, "user"));

    @Test
    void thePropertyKeepsOpenTelemetrysThreadLocalStorage() throws Exception {
        assertThat(System.getProperty("io.opentelemetry.context.contextStorageProvider")).isEqualTo("default");
        assertThat(ContextStorage.get()).isNotSameAs(AsyncLocalContextStorage.INSTANCE);
        assertThat(AsyncLocalContextStorageProvider.isActive()).isFalse();

        ContextKey<String> key = ContextKey.named("k");
        ExecutorService pool = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
        try (Scope ignored = Context.current().with(key, "v").makeCurrent()) {
            assertThat(pool.submit(() -> Context.current().get(key)).get(10, TimeUnit.SECONDS)).isNull();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void crossServicePropagationDoesNotNeedTheStorage() {
        SpanContext remote = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault());
        Map<String, String> headers;
        try (Scope ignored = Context.root().with(Span.wrap(remote)).makeCurrent()) {
            headers = USER.run("alice", PROPAGATION::headers);
        }
        assertThat(headers).containsEntry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .containsEntry("baggage", "user=alice");

        IncomingContext incoming = PROPAGATION.extract(headers, new MapGetter());
        String[] seen = incoming.run(() -> new String[] {
            USER.getStore(), Span.current().getSpanContext().getSpanId(),
        });
        assertThat(seen).containsExactly("alice", "b7ad6b7169203331");
        assertThat(Span.current().getSpanContext().isValid()).isFalse();
    }
}
