package dev.asynclocal.trace;

import java.util.List;

/**
 * One async resource as an {@link AsyncTracer} recorded it: its identity, where and when it was
 * created, each run of its code, and when it was resolved and destroyed. Times are nanoseconds
 * since the tracer started; {@code -1} means "not seen (yet)".
 */
public final class TracedResource {
    private final long asyncId;
    private final String type;
    private final long triggerAsyncId;
    private final String request;
    private final String initThreadName;
    private final long initThreadId;
    private final long initNanos;
    private final List<Run> runs;
    private final long promiseResolveNanos;
    private final String destroyThreadName;
    private final long destroyThreadId;
    private final long destroyNanos;

    TracedResource(long asyncId, String type, long triggerAsyncId, String request, String initThreadName,
            long initThreadId, long initNanos, List<Run> runs, long promiseResolveNanos, String destroyThreadName,
            long destroyThreadId, long destroyNanos) {
        this.asyncId = asyncId;
        this.type = type;
        this.triggerAsyncId = triggerAsyncId;
        this.request = request;
        this.initThreadName = initThreadName;
        this.initThreadId = initThreadId;
        this.initNanos = initNanos;
        this.runs = List.copyOf(runs);
        this.promiseResolveNanos = promiseResolveNanos;
        this.destroyThreadName = destroyThreadName;
        this.destroyThreadId = destroyThreadId;
        this.destroyNanos = destroyNanos;
    }

    /** @return the resource's async id */
    public long asyncId() {
        return asyncId;
    }

    /** @return the resource's type, e.g. {@code Executor} */
    public String type() {
        return type;
    }

    /** @return the id of the resource whose code created this one; {@code 1} at top level */
    public long triggerAsyncId() {
        return triggerAsyncId;
    }

    /** @return the label of the request this resource belongs to */
    public String request() {
        return request;
    }

    /** @return the name of the thread that created the resource */
    public String initThreadName() {
        return initThreadName;
    }

    /** @return the id of the thread that created the resource */
    public long initThreadId() {
        return initThreadId;
    }

    /** @return when the resource was created ({@code init}) */
    public long initNanos() {
        return initNanos;
    }

    /** @return each run of the resource's code, in the order they started */
    public List<Run> runs() {
        return runs;
    }

    /** @return when the resource (a future's stage) was resolved, or {@code -1} */
    public long promiseResolveNanos() {
        return promiseResolveNanos;
    }

    /** @return the thread that delivered {@code destroy}, or {@code null} */
    public String destroyThreadName() {
        return destroyThreadName;
    }

    /** @return the id of the thread that delivered {@code destroy}, or {@code -1} */
    public long destroyThreadId() {
        return destroyThreadId;
    }

    /** @return when {@code destroy} was delivered, or {@code -1} */
    public long destroyNanos() {
        return destroyNanos;
    }

    /** @return {@code "type #asyncId"} */
    String name() {
        return type + " #" + asyncId;
    }

    @Override
    public String toString() {
        return name() + " <- #" + triggerAsyncId + " [" + request + "], " + runs.size() + " run(s)";
    }

    /** One run of a resource's code: from {@code before} to {@code after}, on one thread. */
    public static final class Run {
        private final String threadName;
        private final long threadId;
        private final long startNanos;
        private final long endNanos;

        Run(String threadName, long threadId, long startNanos, long endNanos) {
            this.threadName = threadName;
            this.threadId = threadId;
            this.startNanos = startNanos;
            this.endNanos = endNanos;
        }

        /** @return the name of the thread the code ran on */
        public String threadName() {
            return threadName;
        }

        /** @return the id of the thread the code ran on */
        public long threadId() {
            return threadId;
        }

        /** @return when the run started ({@code before}) */
        public long startNanos() {
            return startNanos;
        }

        /** @return when the run ended ({@code after}), or {@code -1} if it had not when the trace was taken */
        public long endNanos() {
            return endNanos;
        }

        @Override
        public String toString() {
            return threadName + " [" + startNanos + ", " + endNanos + "]";
        }
    }
}
