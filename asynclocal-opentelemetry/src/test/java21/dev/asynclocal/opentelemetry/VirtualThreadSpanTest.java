package dev.asynclocal.opentelemetry;

import static dev.asynclocal.opentelemetry.Tracing.TRACER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Parent/child links across virtual threads (JDK 21+; compiled only by the java21-tests profile). */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
class VirtualThreadSpanTest {
    @BeforeEach
    void reset() {
        Tracing.EXPORTER.reset();
    }

    private static void assertChildOf(String child, String parent) {
        Map<String, SpanData> spans = Tracing.spansByName();
        assertThat(spans.get(child).getTraceId()).isEqualTo(spans.get(parent).getTraceId());
        assertThat(spans.get(child).getParentSpanId()).isEqualTo(spans.get(parent).getSpanId());
    }

    @Test
    void aVirtualThreadPerTaskExecutorWrappedByAsyncExecutors() throws Exception {
        try (ExecutorService virtualThreads = AsyncExecutors.wrap(Executors.newVirtualThreadPerTaskExecutor())) {
            Span parent = TRACER.spanBuilder("parent").startSpan();
            try (Scope ignored = parent.makeCurrent()) {
                boolean virtual = virtualThreads.submit(() -> {
                    TRACER.spanBuilder("child").startSpan().end();
                    return Thread.currentThread().isVirtual();
                }).get(10, TimeUnit.SECONDS);
                assertThat(virtual).isTrue();
            } finally {
                parent.end();
            }
        }
        assertChildOf("child", "parent");
    }

    @Test
    void aVirtualThreadStartedWithABoundTask() throws Exception {
        Thread thread;
        Span parent = TRACER.spanBuilder("parent").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            thread = Thread.ofVirtual().start(AsyncLocalStorage.bind(() -> TRACER.spanBuilder("child").startSpan().end()));
        } finally {
            parent.end();
        }
        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertChildOf("child", "parent");
    }

    /** Without the agent, a plain Thread.start does not propagate: the virtual thread sees root. */
    @Test
    void anUnboundVirtualThreadSeesRoot() throws Exception {
        AtomicReference<Context> seen = new AtomicReference<>();
        Span parent = TRACER.spanBuilder("parent").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            Thread.ofVirtual().start(() -> seen.set(Context.current())).join(TimeUnit.SECONDS.toMillis(10));
        } finally {
            parent.end();
        }
        assertThat(seen.get()).isSameAs(Context.root());
    }
}
