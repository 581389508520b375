package dev.asynclocal.trace;

import java.time.Duration;
import org.awaitility.Awaitility;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AsyncTracerTest {
    private final AsyncLocalStorage<String> requestId = new AsyncLocalStorage<>("requestId");
    private final ExecutorService threads = Executors.newFixedThreadPool(2);
    private final ExecutorService pool = AsyncExecutors.wrap(threads);
    private final List<AsyncTracer> tracers = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        tracers.forEach(AsyncTracer::stop);
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    private AsyncTracer start(TraceSelection selection) {
        AsyncTracer tracer = AsyncTracer.start(selection);
        tracers.add(tracer);
        return tracer;
    }

    /**
     * One request: the handler submits a task, which submits a second one and starts a future
     * chain on the pool. Returns when all of it has run.
     */
    private void request(String id) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(2);
        requestId.run(id, () -> {
            pool.execute(() -> {
                pool.execute(done::countDown);
                AsyncCompletableFuture.supplyAsync(() -> 1, pool).thenApply(x -> x + 1)
                        .thenAccept(x -> done.countDown());
            });
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private void waitFor(BooleanSupplier condition) throws InterruptedException {
        Awaitility.await().pollInSameThread().atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
    }

    private static TracedResource byId(Trace trace, long id) {
        return trace.resources().stream().filter(r -> r.asyncId() == id).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------ recording

    @Test
    void recordsEachResourceWithItsTriggerThreadsAndTimes() throws Exception {
        AsyncTracer tracer = start(TraceSelection.carrying(requestId));
        request("r-1");
        waitFor(() -> tracer.trace().resources().stream().allMatch(r -> !r.runs().isEmpty()
                && r.runs().stream().allMatch(run -> run.endNanos() >= 0)));
        tracer.stop();
        Trace trace = tracer.trace();

        assertThat(trace.requests()).containsExactly("requestId=r-1");
        List<TracedResource> resources = trace.resources();
        TracedResource handler = resources.get(0);
        assertThat(handler.type()).isEqualTo("Executor");
        assertThat(handler.triggerAsyncId()).isEqualTo(1);
        assertThat(handler.initThreadName()).isEqualTo(Thread.currentThread().getName());
        // Everything else was created, directly or not, by the first task.
        for (TracedResource resource : resources.subList(1, resources.size())) {
            assertThat(trace.resources()).extracting(TracedResource::asyncId).contains(resource.triggerAsyncId());
            assertThat(resource.initThreadName()).startsWith("pool-");
        }
        assertThat(resources).extracting(TracedResource::type)
                .contains("Executor", "CompletableFuture").hasSizeGreaterThanOrEqualTo(4);
        for (TracedResource resource : resources) {
            assertThat(resource.request()).isEqualTo("requestId=r-1");
            TracedResource.Run run = resource.runs().get(0);
            assertThat(run.startNanos()).isGreaterThanOrEqualTo(resource.initNanos());
            assertThat(run.endNanos()).isGreaterThanOrEqualTo(run.startNanos());
            if (resource.triggerAsyncId() != 1) {
                TracedResource trigger = byId(trace, resource.triggerAsyncId());
                assertThat(trigger.runs()).as("the trigger was running where %s was created", resource)
                        .anySatisfy(r -> {
                            assertThat(r.threadId()).isEqualTo(resource.initThreadId());
                            assertThat(r.startNanos()).isLessThanOrEqualTo(resource.initNanos());
                            assertThat(r.endNanos()).isGreaterThanOrEqualTo(resource.initNanos());
                        });
            }
        }
        assertThat(tracer.isRunning()).isFalse();
    }

    @Test
    void destroyAndPromiseResolveAreRecorded() throws Exception {
        AsyncTracer tracer = start(TraceSelection.carrying(requestId));
        requestId.run("r-1", () -> AsyncCompletableFuture.supplyAsync(() -> 1, pool).thenApply(x -> x + 1)).join();
        waitFor(() -> tracer.trace().resources().stream().filter(r -> r.type().equals("Executor"))
                .allMatch(r -> r.destroyNanos() >= 0));
        Trace trace = tracer.stop().trace();
        TracedResource task = trace.resources().stream().filter(r -> r.type().equals("Executor")).findFirst().orElseThrow();
        assertThat(task.destroyThreadName()).isEqualTo("asynclocal-destroy");
        assertThat(task.destroyNanos()).isGreaterThanOrEqualTo(task.runs().get(0).endNanos());
        assertThat(trace.resources()).anySatisfy(r -> {
            assertThat(r.type()).isEqualTo("CompletableFuture");
            assertThat(r.promiseResolveNanos()).isGreaterThanOrEqualTo(0);
        });
    }

    @Test
    void aTraceTakenWhileARunIsInProgressShowsItUnfinished() throws Exception {
        AsyncTracer tracer = start(TraceSelection.all());
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(() -> {
            running.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        Trace during = tracer.trace();
        release.countDown();

        TracedResource task = during.resources().get(0);
        assertThat(task.runs()).singleElement().satisfies(run -> assertThat(run.endNanos()).isEqualTo(-1));
        Map<String, Object> json = events(during).stream()
                .filter(e -> "X".equals(e.get("ph")) && "asynclocal.run".equals(e.get("cat")))
                .findFirst().orElseThrow();
        assertThat(args(json)).containsEntry("unfinished", true);
    }

    // ------------------------------------------------------------ selection

    @Test
    void carryingRecordsOnlyWorkThatCarriesTheStoreOneRequestPerValue() throws Exception {
        AsyncTracer tracer = start(TraceSelection.carrying(requestId));
        request("r-1");
        pool.submit(() -> { }).get(10, TimeUnit.SECONDS); // outside any request
        request("r-2");
        Trace trace = tracer.stop().trace();

        assertThat(trace.requests()).containsExactly("requestId=r-1", "requestId=r-2");
        Map<String, List<TracedResource>> byRequest = trace.resources().stream()
                .collect(Collectors.groupingBy(TracedResource::request));
        assertThat(byRequest.get("requestId=r-1")).hasSameSizeAs(byRequest.get("requestId=r-2"));
        assertThat(trace.resources()).hasSize(byRequest.get("requestId=r-1").size() * 2);
        assertThat(trace.request("requestId=r-2").resources()).isEqualTo(byRequest.get("requestId=r-2"));
    }

    @Test
    void carryingWithAPredicateRecordsOnlyTheMatchingValues() throws Exception {
        AsyncTracer tracer = start(TraceSelection.carrying(requestId, id -> id.endsWith("2")));
        request("r-1");
        request("r-2");
        Trace trace = tracer.stop().trace();
        assertThat(trace.requests()).containsExactly("requestId=r-2");
        assertThat(trace.resources()).isNotEmpty().allSatisfy(r -> assertThat(r.request()).isEqualTo("requestId=r-2"));
    }

    @Test
    void aSampleRecordsWholeRequestsAndSkipsWholeRequests() throws Exception {
        AsyncTracer tracer = start(TraceSelection.sample(0.5));
        for (int i = 0; i < 4; i++) {
            request("r-" + i);
        }
        Trace trace = tracer.stop().trace();
        // Each request has exactly one root (the handler's task): every second one is recorded,
        // each with all of its resources.
        assertThat(trace.requests()).hasSize(2);
        Trace all = trace;
        for (String request : all.requests()) {
            Trace one = all.request(request);
            assertThat(one.resources()).hasSizeGreaterThanOrEqualTo(4);
            assertThat(one.resources()).filteredOn(r -> r.triggerAsyncId() == 1).hasSize(1);
        }
    }

    @Test
    void allRecordsEverythingWithOneRequestPerRoot() throws Exception {
        AsyncTracer tracer = start(TraceSelection.all());
        request("r-1");
        pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
        Trace trace = tracer.stop().trace();
        assertThat(trace.requests()).hasSize(2).allSatisfy(label -> assertThat(label).startsWith("Executor #"));
    }

    @Test
    void theBoundOnResourcesTruncatesTheTrace() throws Exception {
        AsyncTracer tracer = AsyncTracer.start(TraceSelection.all(), 3);
        tracers.add(tracer);
        for (int i = 0; i < 5; i++) {
            pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
        }
        Trace trace = tracer.stop().trace();
        assertThat(trace.resources()).hasSize(3);
        assertThat(trace.truncated()).isTrue();
        assertThat(trace.toString()).endsWith("truncated]");
    }

    @Test
    void argumentsAreChecked() {
        assertThatNullPointerException().isThrownBy(() -> AsyncTracer.start(null)).withMessageContaining("selection");
        assertThatIllegalArgumentException().isThrownBy(() -> AsyncTracer.start(TraceSelection.all(), 0));
        assertThatIllegalArgumentException().isThrownBy(() -> TraceSelection.sample(0));
        assertThatIllegalArgumentException().isThrownBy(() -> TraceSelection.sample(1.5));
        assertThatIllegalArgumentException().isThrownBy(() -> TraceSelection.sample(Double.NaN));
        assertThatNullPointerException().isThrownBy(() -> TraceSelection.carrying(null)).withMessageContaining("storage");
        assertThatNullPointerException().isThrownBy(() -> TraceSelection.carrying(requestId, null))
                .withMessageContaining("which");
    }

    // ------------------------------------------------------------ Chrome Trace Event JSON

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> events(Trace trace) {
        Map<String, Object> root = (Map<String, Object>) Json.parse(trace.toChromeJson());
        return (List<Map<String, Object>>) root.get("traceEvents");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> args(Map<String, Object> event) {
        return (Map<String, Object>) event.get("args");
    }

    private static long asLong(Object number) {
        return ((BigDecimal) number).longValueExact();
    }

    @Test
    void theChromeJsonIsValidAndItsSlicesNestOnEveryThread() throws Exception {
        AsyncTracer tracer = start(TraceSelection.carrying(requestId));
        request("r-1");
        request("r-2");
        Trace trace = tracer.stop().trace();

        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(trace.toChromeJson());
        assertThat(root).containsKeys("traceEvents", "displayTimeUnit", "otherData");
        List<Map<String, Object>> events = events(trace);
        for (Map<String, Object> event : events) {
            assertThat(event).containsKeys("name", "ph", "pid");
            assertThat((String) event.get("ph")).isIn("M", "X", "i");
            if (!"M".equals(event.get("ph"))) {
                assertThat(event).containsKeys("ts", "tid", "cat");
            }
        }
        assertThat(events).filteredOn(e -> "process_name".equals(e.get("name")))
                .extracting(e -> args(e).get("name"))
                .containsExactly("request requestId=r-1", "request requestId=r-2");
        assertThat(events).filteredOn(e -> "thread_name".equals(e.get("name")))
                .extracting(e -> args(e).get("name")).contains(Thread.currentThread().getName());

        // Slices on one track are disjoint or nested: never a partial overlap.
        Map<String, List<Map<String, Object>>> tracks = events.stream().filter(e -> "X".equals(e.get("ph")))
                .collect(Collectors.groupingBy(e -> e.get("pid") + "/" + e.get("tid")));
        for (List<Map<String, Object>> track : tracks.values()) {
            track.sort(Comparator.<Map<String, Object>, BigDecimal>comparing(e -> (BigDecimal) e.get("ts"))
                    .thenComparing(e -> (BigDecimal) e.get("dur"), Comparator.reverseOrder()));
            List<BigDecimal> ends = new ArrayList<>();
            for (Map<String, Object> slice : track) {
                BigDecimal start = (BigDecimal) slice.get("ts");
                BigDecimal end = start.add((BigDecimal) slice.get("dur"));
                while (!ends.isEmpty() && ends.get(ends.size() - 1).compareTo(start) <= 0
                        && !(ends.get(ends.size() - 1).compareTo(start) == 0 && end.compareTo(start) == 0)) {
                    ends.remove(ends.size() - 1);
                }
                if (!ends.isEmpty()) {
                    assertThat(end).as("%s nests in its enclosing slice", slice)
                            .isLessThanOrEqualTo(ends.get(ends.size() - 1));
                }
                ends.add(end);
            }
        }
        // Every run is a slice; every resource's creation is a zero-length slice.
        long runs = trace.resources().stream().mapToLong(r -> r.runs().size()).sum();
        assertThat(events).filteredOn(e -> "asynclocal.run".equals(e.get("cat"))).hasSize((int) runs);
        assertThat(events).filteredOn(e -> "asynclocal.init".equals(e.get("cat")))
                .hasSize(trace.resources().size())
                .allSatisfy(e -> assertThat((BigDecimal) e.get("dur")).isZero());
    }

    @Test
    void flowArrowsGoFromTheTriggersSliceToTheResourcesFirstRun() throws Exception {
        AsyncTracer tracer = start(TraceSelection.carrying(requestId));
        request("r-1");
        Trace trace = tracer.stop().trace();
        List<Map<String, Object>> events = events(trace);
        List<Map<String, Object>> slices = events.stream().filter(e -> "X".equals(e.get("ph"))).collect(Collectors.toList());

        Map<String, Map<String, Object>> out = new HashMap<>();
        Map<String, Map<String, Object>> in = new HashMap<>();
        for (Map<String, Object> slice : slices) {
            if (Boolean.TRUE.equals(slice.get("flow_out"))) {
                assertThat(out.put((String) slice.get("bind_id"), slice)).isNull();
            }
            if (Boolean.TRUE.equals(slice.get("flow_in"))) {
                assertThat(in.put((String) slice.get("bind_id"), slice)).isNull();
            }
        }
        assertThat(out.keySet()).isEqualTo(in.keySet()).hasSize(trace.resources().size());
        int nestedInTrigger = 0;
        for (Map.Entry<String, Map<String, Object>> flow : out.entrySet()) {
            Map<String, Object> creation = flow.getValue();
            Map<String, Object> firstRun = in.get(flow.getKey());
            long id = asLong(args(creation).get("asyncId"));
            assertThat(creation.get("cat")).isEqualTo("asynclocal.init");
            assertThat(firstRun.get("cat")).isEqualTo("asynclocal.run");
            assertThat(asLong(args(firstRun).get("asyncId"))).isEqualTo(id);
            assertThat(asLong(args(firstRun).get("run"))).isZero();
            long trigger = asLong(args(creation).get("triggerAsyncId"));
            if (trigger == 1) {
                continue;
            }
            // The arrow leaves from inside a run of the trigger, on the same track.
            BigDecimal at = (BigDecimal) creation.get("ts");
            assertThat(slices).as("a run of #%s encloses the creation of #%s", trigger, id).anySatisfy(s -> {
                assertThat(s.get("cat")).isEqualTo("asynclocal.run");
                assertThat(asLong(args(s).get("asyncId"))).isEqualTo(trigger);
                assertThat(s.get("tid")).isEqualTo(creation.get("tid"));
                assertThat(s.get("pid")).isEqualTo(creation.get("pid"));
                BigDecimal start = (BigDecimal) s.get("ts");
                assertThat(at).isBetween(start, start.add((BigDecimal) s.get("dur")));
            });
            nestedInTrigger++;
        }
        assertThat(nestedInTrigger).isEqualTo(trace.resources().size() - 1);
    }

    @Test
    void stringsAreEscaped() throws Exception {
        AsyncTracer tracer = start(TraceSelection.carrying(requestId));
        requestId.run("quote\" backslash\\ newline\n tab\t bell\u0007", () -> pool.submit(() -> { })).get(10, TimeUnit.SECONDS);
        Trace trace = tracer.stop().trace();
        assertThat(trace.requests()).containsExactly("requestId=quote\" backslash\\ newline\n tab\t bell\u0007");
        assertThat(events(trace)).filteredOn(e -> "process_name".equals(e.get("name")))
                .extracting(e -> args(e).get("name"))
                .containsExactly("request requestId=quote\" backslash\\ newline\n tab\t bell\u0007");
        assertThat(trace.toDot()).contains("label=\"request requestId=quote\\\" backslash\\\\ newline\\n tab  bell\";");
    }

    // ------------------------------------------------------------ DOT

    @Test
    void theDotGraphHasAClusterPerRequestAndAnEdgePerTrigger() throws Exception {
        AsyncTracer tracer = start(TraceSelection.carrying(requestId));
        request("r-1");
        request("r-2");
        Trace trace = tracer.stop().trace();
        String dot = trace.toDot();

        assertThat(dot).startsWith("digraph asynclocal {\n").endsWith("}\n");
        assertThat(dot).contains("subgraph cluster_1 {\n    label=\"request requestId=r-1\";")
                .contains("subgraph cluster_2 {\n    label=\"request requestId=r-2\";");
        String main = Thread.currentThread().getName();
        assertThat(dot).contains("t1_1 [shape=ellipse, fillcolor=\"#ffffff\", label=\"top level\\non " + main + "\"];");
        for (TracedResource resource : trace.resources()) {
            String from = resource.triggerAsyncId() == 1
                    ? (resource.request().endsWith("r-1") ? "t1_1" : "t2_1")
                    : "r" + resource.triggerAsyncId();
            assertThat(dot).contains("    " + from + " -> r" + resource.asyncId() + ";\n");
            assertThat(dot).containsPattern("    r" + resource.asyncId() + " \\[label=\"" + resource.type() + " #"
                    + resource.asyncId() + "\\\\ncreated on [^\"]+ at \\+\\d+\\.\\d{3} ms\\\\nran on [^\"]+\"");
        }
        assertThat(dot.lines().filter(line -> line.startsWith("    ") && line.contains(" -> ")))
                .hasSize(trace.resources().size());
        assertThat(dot.indexOf("cluster_2")).as("written last-first, drawn first-on-top")
                .isLessThan(dot.indexOf("cluster_1"));

        String one = trace.request("requestId=r-2").toDot();
        assertThat(one).contains("request requestId=r-2").doesNotContain("requestId=r-1");
        assertThatIllegalArgumentException().isThrownBy(() -> trace.request("requestId=nope"))
                .withMessageContaining("requestId=r-1");
    }
}
