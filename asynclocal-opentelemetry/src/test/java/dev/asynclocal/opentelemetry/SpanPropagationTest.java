package dev.asynclocal.opentelemetry;

import java.time.Duration;
import org.awaitility.Awaitility;
import static dev.asynclocal.opentelemetry.Tracing.TRACER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.AsyncResource;
import dev.asynclocal.Snapshot;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Parent/child links recorded by the real OpenTelemetry SDK when the child span is started after
 * an asynchronous hop that asynclocal propagates, with no OpenTelemetry agent and no
 * {@code Context.wrap}: the span current at submission is the child's parent.
 */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
class SpanPropagationTest {
    private static final ExecutorService RAW = Executors.newFixedThreadPool(2);
    private static final ExecutorService POOL = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));

    @AfterAll
    static void stop() {
        RAW.shutdownNow();
        POOL.shutdownNow();
    }

    @BeforeEach
    void reset() {
        Tracing.EXPORTER.reset();
    }

    private static void child(String name) {
        TRACER.spanBuilder(name).startSpan().end();
    }

    private static void assertChildOf(String child, String parent) {
        Map<String, SpanData> spans = Tracing.spansByName();
        assertThat(spans).containsKeys(child, parent);
        assertThat(spans.get(child).getTraceId()).isEqualTo(spans.get(parent).getTraceId());
        assertThat(spans.get(child).getParentSpanId()).isEqualTo(spans.get(parent).getSpanId());
    }

    @Test
    void acrossAnExecutorHop() throws Exception {
        Span parent = TRACER.spanBuilder("parent").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            POOL.submit(() -> child("child")).get(10, TimeUnit.SECONDS);
        } finally {
            parent.end();
        }
        assertChildOf("child", "parent");
    }

    @Test
    void acrossTwoHopsAndANestedSpan() throws Exception {
        Span parent = TRACER.spanBuilder("parent").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            POOL.submit(() -> {
                Span middle = TRACER.spanBuilder("middle").startSpan();
                try (Scope m = middle.makeCurrent()) {
                    POOL.submit(() -> child("leaf")).get(10, TimeUnit.SECONDS);
                } finally {
                    middle.end();
                }
                return null;
            }).get(10, TimeUnit.SECONDS);
        } finally {
            parent.end();
        }
        assertChildOf("middle", "parent");
        assertChildOf("leaf", "middle");
    }

    /**
     * The stage is registered inside the parent's scope and runs on a thread that completes the
     * future outside any context, after the scope closed: it still sees the parent.
     */
    @Test
    void inAFutureStageCompletedElsewhere() throws Exception {
        AsyncCompletableFuture<String> input = new AsyncCompletableFuture<>();
        CompletableFuture<Void> stage;
        Span parent = TRACER.spanBuilder("parent").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            stage = input.thenAccept(value -> child("stage"));
        } finally {
            parent.end();
        }
        RAW.submit(() -> input.complete("go")).get(10, TimeUnit.SECONDS);
        stage.get(10, TimeUnit.SECONDS);
        assertChildOf("stage", "parent");
    }

    @Test
    void inSupplyAsyncAndItsAsyncStages() throws Exception {
        Span parent = TRACER.spanBuilder("parent").startSpan();
        CompletableFuture<Void> done;
        try (Scope ignored = parent.makeCurrent()) {
            done = AsyncCompletableFuture.supplyAsync(() -> {
                child("supply");
                return 1;
            }, RAW).thenAcceptAsync(x -> child("then"), RAW);
        } finally {
            parent.end();
        }
        done.get(10, TimeUnit.SECONDS);
        assertChildOf("supply", "parent");
        assertChildOf("then", "parent");
    }

    @Test
    void throughBindSnapshotAndAsyncResource() throws Exception {
        Span parent = TRACER.spanBuilder("parent").startSpan();
        Runnable bound;
        Snapshot snapshot;
        AsyncResource resource;
        try (Scope ignored = parent.makeCurrent()) {
            bound = AsyncLocalStorage.bind(() -> child("bound"));
            snapshot = AsyncLocalStorage.snapshot();
            resource = new AsyncResource("Query");
        } finally {
            parent.end();
        }
        RAW.submit(bound).get(10, TimeUnit.SECONDS);
        RAW.submit(() -> snapshot.run(() -> child("snapshot"))).get(10, TimeUnit.SECONDS);
        RAW.submit(() -> resource.runInAsyncScope(() -> child("resource"))).get(10, TimeUnit.SECONDS);
        resource.emitDestroy();
        assertChildOf("bound", "parent");
        assertChildOf("snapshot", "parent");
        assertChildOf("resource", "parent");
    }

    /** OpenTelemetry's own wrapping still works on top of the asynclocal storage. */
    @Test
    void openTelemetrysOwnContextWrapStillWorks() throws Exception {
        Span parent = TRACER.spanBuilder("parent").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            RAW.submit(Context.current().wrap(() -> child("wrapped"))).get(10, TimeUnit.SECONDS);
            Context.taskWrapping(RAW).execute(() -> child("taskWrapping"));
        } finally {
            parent.end();
        }
        waitForSpan("taskWrapping");
        assertChildOf("wrapped", "parent");
        assertChildOf("taskWrapping", "parent");
    }

    @Test
    void anUnwrappedExecutorGetsNoParentAndNoLeftover() throws Exception {
        Span parent = TRACER.spanBuilder("parent").startSpan();
        try (Scope ignored = parent.makeCurrent()) {
            RAW.submit(() -> child("orphan")).get(10, TimeUnit.SECONDS);
        } finally {
            parent.end();
        }
        SpanData orphan = Tracing.spansByName().get("orphan");
        assertThat(orphan.getParentSpanContext().isValid()).isFalse();
        assertThat(orphan.getTraceId()).isNotEqualTo(Tracing.spansByName().get("parent").getTraceId());
    }

    /** After a task, the pool thread is back to root: the next task, from nowhere, has no parent. */
    @Test
    void poolThreadsDoNotKeepATasksSpan() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        ExecutorService wrapped = AsyncExecutors.wrap(single);
        try {
            Span parent = TRACER.spanBuilder("parent").startSpan();
            try (Scope ignored = parent.makeCurrent()) {
                wrapped.submit(() -> Span.current().getSpanContext().isValid()).get(10, TimeUnit.SECONDS);
            } finally {
                parent.end();
            }
            // submitted through the raw executor: runs on the same thread, outside any context
            assertThat(single.submit(() -> Context.current() == Context.root()).get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            single.shutdownNow();
        }
    }

    @Test
    void baggageFollowsTooAndAnEnterWithInsideATaskStaysThere() throws Exception {
        Baggage baggage = Baggage.builder().put("tenant", "acme").build();
        try (Scope ignored = baggage.makeCurrent()) {
            String seen = POOL.submit(() -> {
                // attached and never closed (straight on our storage: strict mode would report it)
                AsyncLocalContextStorage.INSTANCE.attach(Context.current().with(
                        Baggage.current().toBuilder().put("tenant", "changed").build()));
                return Baggage.current().getEntryValue("tenant");
            }).get(10, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo("changed");
            assertThat(POOL.submit(() -> Baggage.current().getEntryValue("tenant")).get(10, TimeUnit.SECONDS))
                    .isEqualTo("acme");
            assertThat(Baggage.current().getEntryValue("tenant")).isEqualTo("acme");
        }
        assertThat(Baggage.current().isEmpty()).isTrue();
    }

    @Test
    void concurrentRequestsKeepTheirOwnSpans() throws Exception {
        int requests = 32;
        CountDownLatch done = new CountDownLatch(requests);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < requests; i++) {
                String name = "request-" + i;
                callers.execute(() -> {
                    Span parent = TRACER.spanBuilder(name).startSpan();
                    try (Scope ignored = parent.makeCurrent()) {
                        POOL.submit(() -> child(name + "/child")).get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    } finally {
                        parent.end();
                        done.countDown();
                    }
                });
            }
            assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            callers.shutdownNow();
        }
        for (int i = 0; i < requests; i++) {
            assertChildOf("request-" + i + "/child", "request-" + i);
        }
    }

    private static void waitForSpan(String name) throws InterruptedException {
        Awaitility.await("span " + name).pollInSameThread().atMost(Duration.ofSeconds(10))
                .until(() -> Tracing.spansByName().containsKey(name));
    }
}
