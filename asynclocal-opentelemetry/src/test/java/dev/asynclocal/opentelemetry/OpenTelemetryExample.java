package dev.asynclocal.opentelemetry;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * docs/opentelemetry.md: the current span follows an executor hop and a future stage, with
 * nothing but asynclocal-opentelemetry on the class path. Run by {@code ExamplesTest}.
 */
public final class OpenTelemetryExample {
    private OpenTelemetryExample() {
    }

    @SuppressWarnings("try")
    public static void main(String[] args) throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            // snippet:start span-follows
            Tracer tracer = provider.get("checkout");
            ExecutorService pool = AsyncExecutors.wrap(threads);

            Span request = tracer.spanBuilder("handle-request").startSpan();
            try (Scope ignored = request.makeCurrent()) {
                pool.submit(() -> tracer.spanBuilder("load-cart").startSpan().end()).get();

                AsyncCompletableFuture.supplyAsync(() -> 42, threads)
                        .thenAccept(total -> tracer.spanBuilder("charge").startSpan().end())
                        .get();
            } finally {
                request.end();
            }
            // snippet:end span-follows
            System.out.println("OpenTelemetry keeps its context in asynclocal: " + AsyncLocalContextStorageProvider.isActive());
            Map<String, SpanData> byId = exporter.getFinishedSpanItems().stream()
                    .collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
            for (SpanData span : exporter.getFinishedSpanItems()) {
                SpanData parent = byId.get(span.getParentSpanId());
                System.out.println(span.getName() + " <- " + (parent == null ? "(root)" : parent.getName()));
            }
        } finally {
            threads.shutdownNow();
            provider.close();
        }
    }
}
