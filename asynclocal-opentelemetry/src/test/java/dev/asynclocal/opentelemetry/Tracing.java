package dev.asynclocal.opentelemetry;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The real OpenTelemetry SDK, exporting every ended span to memory at once. */
final class Tracing {
    static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();
    static final SdkTracerProvider PROVIDER = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(EXPORTER))
            .build();
    static final Tracer TRACER = PROVIDER.get("asynclocal-test");

    private Tracing() {
    }

    /** The ended spans of one trace by name; each name must be unique in that trace. */
    static Map<String, SpanData> spansByTraceAndName(String traceId) {
        return EXPORTER.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId))
                .collect(Collectors.toMap(SpanData::getName, Function.identity()));
    }

    /** The ended spans by name; each name must be unique among them. */
    static Map<String, SpanData> spansByName() {
        List<SpanData> spans = EXPORTER.getFinishedSpanItems();
        return spans.stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
    }
}
