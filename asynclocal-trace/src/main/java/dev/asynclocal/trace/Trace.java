package dev.asynclocal.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an {@link AsyncTracer} recorded: resources grouped into requests, exportable as Chrome
 * Trace Event JSON and as a Graphviz DOT graph. Immutable.
 *
 * <p><b>Chrome Trace Event JSON</b> ({@link #toChromeJson()}) opens in
 * <a href="https://ui.perfetto.dev">Perfetto</a> and in {@code chrome://tracing}. Each request is
 * a process (named by its label) whose tracks are the threads it ran on. Each run of a resource is
 * a slice named {@code "type #id"}; its creation is a zero-length slice {@code "init type #id"}
 * on the creating thread, nested in the slice of the trigger that was running there; a flow arrow
 * goes from each creation to the first run it caused; {@code promiseResolve} and {@code destroy}
 * are instant events. Times are microseconds since the tracer started.
 *
 * <p><b>DOT</b> ({@link #toDot()}) draws each request as a cluster: one box per resource (type,
 * id, where it was created, where and how long it ran), an arrow from each trigger to what it
 * created, and, for a request's roots, an ellipse for the code that created them (top level on a
 * thread, or a resource that was not recorded). Render it with {@code dot -Tsvg trace.dot}.
 */
public final class Trace {
    private final List<TracedResource> resources;
    private final List<String> requestOrder;
    private final boolean truncated;
    private final long takenNanos;
    private final String selection;

    Trace(List<TracedResource> resources, List<String> requestOrder, boolean truncated, long takenNanos,
            String selection) {
        List<TracedResource> sorted = new ArrayList<>(resources);
        sorted.sort(Comparator.comparingLong(TracedResource::asyncId));
        this.resources = Collections.unmodifiableList(sorted);
        java.util.Set<String> used = new java.util.HashSet<>();
        for (TracedResource resource : sorted) {
            used.add(resource.request());
        }
        List<String> present = new ArrayList<>();
        for (String request : requestOrder) {
            if (used.contains(request)) {
                present.add(request);
            }
        }
        this.requestOrder = Collections.unmodifiableList(present);
        this.truncated = truncated;
        this.takenNanos = takenNanos;
        this.selection = selection;
    }

    /**
     * Every recorded resource, by increasing async id.
     *
     * @return the resources, an unmodifiable list
     */
    public List<TracedResource> resources() {
        return resources;
    }

    /**
     * The labels of the requests in this trace, in the order they started: {@code name=value}
     * for a {@linkplain TraceSelection#carrying carrying} selection, the root's
     * {@code "type #id"} otherwise.
     *
     * @return the labels, an unmodifiable list
     */
    public List<String> requests() {
        return requestOrder;
    }

    /**
     * The part of this trace that belongs to one request.
     *
     * @param label one of {@link #requests()}
     * @return the request's trace
     * @throws IllegalArgumentException if there is no such request
     * @throws NullPointerException if {@code label} is {@code null}
     */
    public Trace request(String label) {
        Objects.requireNonNull(label, "label");
        if (!requestOrder.contains(label)) {
            throw new IllegalArgumentException("no request " + label + " in this trace; requests: " + requestOrder);
        }
        List<TracedResource> kept = new ArrayList<>();
        for (TracedResource resource : resources) {
            if (resource.request().equals(label)) {
                kept.add(resource);
            }
        }
        return new Trace(kept, List.of(label), truncated, takenNanos, selection);
    }

    /**
     * Whether the tracer stopped recording new resources because it had kept its maximum.
     *
     * @return {@code true} if resources are missing
     */
    public boolean truncated() {
        return truncated;
    }

    /**
     * This trace in the Chrome Trace Event format (JSON object form), for Perfetto and
     * {@code chrome://tracing}.
     *
     * @return the JSON text
     */
    public String toChromeJson() {
        return new ChromeTraceWriter(this).write();
    }

    /**
     * This trace as a Graphviz DOT digraph, one cluster per request.
     *
     * @return the DOT text
     */
    public String toDot() {
        return new DotWriter(this).write();
    }

    /** Resources by request, requests in order. */
    Map<String, List<TracedResource>> byRequest() {
        Map<String, List<TracedResource>> grouped = new LinkedHashMap<>();
        for (String request : requestOrder) {
            grouped.put(request, new ArrayList<>());
        }
        for (TracedResource resource : resources) {
            grouped.get(resource.request()).add(resource);
        }
        return grouped;
    }

    long takenNanos() {
        return takenNanos;
    }

    String selection() {
        return selection;
    }

    @Override
    public String toString() {
        return "Trace[" + requestOrder.size() + " request(s), " + resources.size() + " resource(s)"
                + (truncated ? ", truncated]" : "]");
    }
}
