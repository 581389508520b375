package dev.asynclocal.trace;

import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records what selected requests do asynchronously: every async resource they create, with its
 * {@code init}, each {@code before}/{@code after} run, {@code promiseResolve} and {@code destroy},
 * the thread and the time of each, and the trigger that caused it. Take a {@link Trace} at any
 * time and export it for Perfetto or chrome://tracing ({@link Trace#toChromeJson()}) or Graphviz
 * ({@link Trace#toDot()}).
 * <pre>{@code
 * try (AsyncTracer tracer = AsyncTracer.start(TraceSelection.carrying(REQUEST_ID))) {
 *     handleRequests();
 *     Files.writeString(Path.of("requests.json"), tracer.trace().toChromeJson());
 * }
 * }</pre>
 *
 * <p>It is an ordinary {@link AsyncHook} (this class uses only the public hook API, so it is also
 * an example of writing your own): while it runs, every propagated operation is an async
 * resource with an id, which costs some time on each hop, and the tracer keeps what it records in
 * memory, at most {@code maxResources} resources (then {@link Trace#truncated()} says so).
 * Resources created before {@link #start} are not known to it: work they trigger starts new
 * requests. Several tracers may run at once; each sees every event.
 */
public final class AsyncTracer implements AutoCloseable {
    /** The default bound on recorded resources. */
    public static final int DEFAULT_MAX_RESOURCES = 100_000;

    private final TraceSelection selection;
    private final int maxResources;
    private final long origin = System.nanoTime();
    private final AsyncHook hook;
    /** Recorded resources by id. */
    private final Map<Long, Node> nodes = new ConcurrentHashMap<>();
    /** Sampling only: live resources of requests that were not sampled, so their children are not either. */
    private final Map<Long, Boolean> skipped = new ConcurrentHashMap<>();
    private final Map<String, Request> requests = new ConcurrentHashMap<>();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final AtomicLong roots = new AtomicLong();
    private final ThreadLocal<ArrayDeque<OpenRun>> open = ThreadLocal.withInitial(ArrayDeque::new);
    private volatile boolean truncated;

    private AsyncTracer(TraceSelection selection, int maxResources) {
        this.selection = selection;
        this.maxResources = maxResources;
        this.hook = AsyncHooks.createHook(new Recorder());
    }

    /**
     * Starts recording the requests {@code selection} picks, keeping at most
     * {@link #DEFAULT_MAX_RESOURCES} resources.
     *
     * @param selection which requests to record
     * @return the running tracer
     * @throws NullPointerException if {@code selection} is {@code null}
     */
    public static AsyncTracer start(TraceSelection selection) {
        return start(selection, DEFAULT_MAX_RESOURCES);
    }

    /**
     * Starts recording the requests {@code selection} picks, keeping at most
     * {@code maxResources} resources.
     *
     * @param selection which requests to record
     * @param maxResources how many resources to keep, at least 1
     * @return the running tracer
     * @throws NullPointerException if {@code selection} is {@code null}
     * @throws IllegalArgumentException if {@code maxResources} is less than 1
     */
    public static AsyncTracer start(TraceSelection selection, int maxResources) {
        Objects.requireNonNull(selection, "selection");
        if (maxResources < 1) {
            throw new IllegalArgumentException("maxResources must be at least 1, was " + maxResources);
        }
        AsyncTracer tracer = new AsyncTracer(selection, maxResources);
        tracer.hook.enable();
        return tracer;
    }

    /**
     * Stops recording. What was recorded stays available through {@link #trace()}; events of
     * recorded resources that arrive later (a run that was in progress, a late {@code destroy})
     * are not added. Stopping a stopped tracer does nothing.
     *
     * @return this tracer
     */
    public AsyncTracer stop() {
        hook.disable();
        return this;
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Whether the tracer is recording.
     *
     * @return {@code true} between {@link #start} and {@link #stop()}
     */
    public boolean isRunning() {
        return hook.isEnabled();
    }

    /**
     * What has been recorded so far, as an immutable trace. May be called while recording; runs in
     * progress then show as unfinished.
     *
     * @return the trace
     */
    public Trace trace() {
        long now = System.nanoTime() - origin;
        List<TracedResource> resources = new ArrayList<>(nodes.size());
        for (Node node : nodes.values()) {
            resources.add(node.snapshot());
        }
        List<String> order = new ArrayList<>(requests.size());
        requests.values().stream()
                .sorted((a, b) -> Integer.compare(a.ordinal, b.ordinal))
                .forEach(request -> order.add(request.label));
        return new Trace(resources, order, truncated, now, selection.toString());
    }

    @Override
    public String toString() {
        return "AsyncTracer[" + selection + ", " + nodes.size() + " resources" + (isRunning() ? ", running]" : "]");
    }

    private long now() {
        return System.nanoTime() - origin;
    }

    /** The label of a new root's request, or {@code null} if the selection does not want it. */
    private String select(long asyncId, String type) {
        switch (selection.mode) {
            case ALL:
                return type + " #" + asyncId;
            case SAMPLE: {
                long n = roots.getAndIncrement();
                boolean sampled = (long) Math.floor((n + 1) * selection.fraction) > (long) Math.floor(n * selection.fraction);
                return sampled ? type + " #" + asyncId : null;
            }
            default: {
                // init runs synchronously where the resource is created, in the context it captured.
                Object store = selection.storage.getStore();
                if (store == null || !selection.which.test(store)) {
                    return null;
                }
                return selection.storage.name() + "=" + store;
            }
        }
    }

    private final class Recorder implements AsyncHook.Callbacks {
        @Override
        public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            long time = now();
            Node trigger = nodes.get(triggerAsyncId);
            String request;
            if (trigger != null) {
                request = trigger.request;
            } else if (selection.mode == TraceSelection.Mode.SAMPLE && skipped.containsKey(triggerAsyncId)) {
                skip(asyncId);
                return;
            } else {
                request = select(asyncId, type);
                if (request == null) {
                    if (selection.mode == TraceSelection.Mode.SAMPLE) {
                        skip(asyncId);
                    }
                    return;
                }
            }
            if (nodes.size() >= maxResources) {
                truncated = true;
                return;
            }
            requests.computeIfAbsent(request, label -> new Request(label, requestCount.incrementAndGet()));
            Thread thread = Thread.currentThread();
            nodes.put(asyncId, new Node(asyncId, type, triggerAsyncId, request, thread.getName(), thread.getId(), time));
        }

        private void skip(long asyncId) {
            if (skipped.size() < maxResources) {
                skipped.put(asyncId, Boolean.TRUE);
            }
        }

        @Override
        public void before(long asyncId) {
            Node node = nodes.get(asyncId);
            if (node != null) {
                Thread thread = Thread.currentThread();
                OpenRun run = new OpenRun(node, thread.getName(), thread.getId(), now());
                node.begin(run);
                open.get().addLast(run);
            }
        }

        @Override
        public void after(long asyncId) {
            ArrayDeque<OpenRun> runs = open.get();
            OpenRun run = runs.peekLast();
            // Runs nest per thread; a recorded one is on top when its own after comes.
            if (run != null && run.node.asyncId == asyncId) {
                runs.removeLast();
                run.node.end(run, now());
            }
        }

        @Override
        public void promiseResolve(long asyncId) {
            Node node = nodes.get(asyncId);
            if (node != null) {
                node.resolved = now();
            }
        }

        @Override
        public void destroy(long asyncId) {
            Node node = nodes.get(asyncId);
            if (node != null) {
                Thread thread = Thread.currentThread();
                node.destroyed(thread.getName(), thread.getId(), now());
            } else {
                skipped.remove(asyncId);
            }
        }
    }

    /** A request: its label and the order in which it was first seen. */
    private static final class Request {
        final String label;
        final int ordinal;

        Request(String label, int ordinal) {
            this.label = label;
            this.ordinal = ordinal;
        }
    }

    private static final class OpenRun {
        final Node node;
        final String threadName;
        final long threadId;
        final long start;

        OpenRun(Node node, String threadName, long threadId, long start) {
            this.node = node;
            this.threadName = threadName;
            this.threadId = threadId;
            this.start = start;
        }
    }

    /** A recorded resource while recording goes on. */
    private static final class Node {
        final long asyncId;
        final String type;
        final long trigger;
        final String request;
        final String initThreadName;
        final long initThreadId;
        final long init;
        private final List<TracedResource.Run> runs = new ArrayList<>(1);
        private final List<OpenRun> inProgress = new ArrayList<>(1);
        volatile long resolved = -1;
        private String destroyThreadName;
        private long destroyThreadId = -1;
        private long destroyed = -1;

        Node(long asyncId, String type, long trigger, String request, String initThreadName, long initThreadId,
                long init) {
            this.asyncId = asyncId;
            this.type = type;
            this.trigger = trigger;
            this.request = request;
            this.initThreadName = initThreadName;
            this.initThreadId = initThreadId;
            this.init = init;
        }

        synchronized void begin(OpenRun run) {
            inProgress.add(run);
        }

        synchronized void end(OpenRun run, long time) {
            inProgress.remove(run);
            runs.add(new TracedResource.Run(run.threadName, run.threadId, run.start, time));
        }

        synchronized void destroyed(String threadName, long threadId, long time) {
            destroyThreadName = threadName;
            destroyThreadId = threadId;
            destroyed = time;
        }

        synchronized TracedResource snapshot() {
            List<TracedResource.Run> sorted = new ArrayList<>(runs);
            for (OpenRun run : inProgress) {
                sorted.add(new TracedResource.Run(run.threadName, run.threadId, run.start, -1));
            }
            sorted.sort((a, b) -> Long.compare(a.startNanos(), b.startNanos()));
            return new TracedResource(asyncId, type, trigger, request, initThreadName, initThreadId, init, sorted,
                    resolved, destroyThreadName, destroyThreadId, destroyed);
        }
    }
}
