package dev.asynclocal.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Trace} in the Chrome Trace Event format, object form:
 * {@code {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}}.
 *
 * <p>Event kinds used: {@code M} (process and thread names), {@code X} (complete slices: each run,
 * and a zero-length slice at each creation), {@code i} (thread-scoped instants for
 * {@code promiseResolve} and {@code destroy}). Flow arrows use the {@code bind_id} form: the
 * creation slice has {@code "flow_out": true} and the first run {@code "flow_in": true}, with the
 * same id. Because the creation slice lies inside the run of the trigger that was executing on
 * the creating thread, the arrow leaves the trigger's slice and enters the resource's.
 * Timestamps are microseconds with nanosecond digits, so slices that nest in nanoseconds still
 * nest after the conversion.
 */
final class ChromeTraceWriter {
    private final Trace trace;
    private final StringBuilder out = new StringBuilder(4096);
    private boolean first = true;

    ChromeTraceWriter(Trace trace) {
        this.trace = trace;
    }

    String write() {
        out.append("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"asynclocal-trace\",\"selection\":");
        string(trace.selection());
        out.append(",\"truncated\":").append(trace.truncated()).append("},\n\"traceEvents\":[");
        Map<String, List<TracedResource>> requests = trace.byRequest();
        int pid = 0;
        for (Map.Entry<String, List<TracedResource>> request : requests.entrySet()) {
            pid++;
            writeRequest(pid, request.getKey(), request.getValue());
        }
        out.append("\n]}\n");
        return out.toString();
    }

    private void writeRequest(int pid, String label, List<TracedResource> resources) {
        event().append("\"name\":\"process_name\",\"ph\":\"M\",\"pid\":").append(pid).append(",\"args\":{\"name\":");
        string("request " + label);
        out.append("}}");
        event().append("\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":").append(pid)
                .append(",\"args\":{\"sort_index\":").append(pid).append("}}");
        Map<Long, String> threads = new LinkedHashMap<>();
        List<Runnable> events = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (TracedResource resource : resources) {
            threads.putIfAbsent(resource.initThreadId(), resource.initThreadName());
            boolean flows = !resource.runs().isEmpty();
            add(events, times, resource.initNanos(), () -> initSlice(pid, resource, flows));
            for (int i = 0; i < resource.runs().size(); i++) {
                TracedResource.Run run = resource.runs().get(i);
                threads.putIfAbsent(run.threadId(), run.threadName());
                int index = i;
                add(events, times, run.startNanos(), () -> runSlice(pid, resource, run, index));
            }
            if (resource.promiseResolveNanos() >= 0) {
                add(events, times, resource.promiseResolveNanos(), () -> instant(pid, resource.initThreadId(),
                        resource.promiseResolveNanos(), "promiseResolve " + resource.name(), resource));
            }
            if (resource.destroyNanos() >= 0) {
                threads.putIfAbsent(resource.destroyThreadId(), resource.destroyThreadName());
                add(events, times, resource.destroyNanos(), () -> instant(pid, resource.destroyThreadId(),
                        resource.destroyNanos(), "destroy " + resource.name(), resource));
            }
        }
        for (Map.Entry<Long, String> thread : threads.entrySet()) {
            event().append("\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":").append(pid).append(",\"tid\":")
                    .append(thread.getKey()).append(",\"args\":{\"name\":");
            string(thread.getValue());
            out.append("}}");
        }
        // In time order: viewers do not need it, but a reader of the file does.
        Integer[] order = new Integer[events.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(times.get(a), times.get(b)));
        for (Integer i : order) {
            events.get(i).run();
        }
    }

    private static void add(List<Runnable> events, List<Long> times, long time, Runnable event) {
        events.add(event);
        times.add(time);
    }

    private void initSlice(int pid, TracedResource resource, boolean flowOut) {
        event().append("\"name\":");
        string("init " + resource.name());
        out.append(",\"cat\":\"asynclocal.init\",\"ph\":\"X\",\"pid\":").append(pid).append(",\"tid\":")
                .append(resource.initThreadId()).append(",\"ts\":");
        micros(resource.initNanos());
        out.append(",\"dur\":0");
        if (flowOut) {
            out.append(",\"bind_id\":\"").append(flowId(resource)).append("\",\"flow_out\":true");
        }
        args(resource, -1, false);
        out.append('}');
    }

    private void runSlice(int pid, TracedResource resource, TracedResource.Run run, int index) {
        long end = run.endNanos() >= 0 ? run.endNanos() : Math.max(run.startNanos(), trace.takenNanos());
        event().append("\"name\":");
        string(resource.name());
        out.append(",\"cat\":\"asynclocal.run\",\"ph\":\"X\",\"pid\":").append(pid).append(",\"tid\":")
                .append(run.threadId()).append(",\"ts\":");
        micros(run.startNanos());
        out.append(",\"dur\":");
        micros(end - run.startNanos());
        if (index == 0) {
            out.append(",\"bind_id\":\"").append(flowId(resource)).append("\",\"flow_in\":true");
        }
        args(resource, index, run.endNanos() < 0);
        out.append('}');
    }

    private void instant(int pid, long tid, long time, String name, TracedResource resource) {
        event().append("\"name\":");
        string(name);
        out.append(",\"cat\":\"asynclocal.lifecycle\",\"ph\":\"i\",\"s\":\"t\",\"pid\":").append(pid)
                .append(",\"tid\":").append(tid).append(",\"ts\":");
        micros(time);
        args(resource, -1, false);
        out.append('}');
    }

    private void args(TracedResource resource, int run, boolean unfinished) {
        out.append(",\"args\":{\"asyncId\":").append(resource.asyncId()).append(",\"type\":");
        string(resource.type());
        out.append(",\"triggerAsyncId\":").append(resource.triggerAsyncId()).append(",\"request\":");
        string(resource.request());
        if (run >= 0) {
            out.append(",\"run\":").append(run);
        }
        if (unfinished) {
            out.append(",\"unfinished\":true");
        }
        out.append('}');
    }

    private static String flowId(TracedResource resource) {
        return "0x" + Long.toHexString(resource.asyncId());
    }

    private StringBuilder event() {
        out.append(first ? "\n{" : ",\n{");
        first = false;
        return out;
    }

    /** Microseconds with exactly three decimals, from integer nanoseconds: no rounding at all. */
    private void micros(long nanos) {
        out.append(nanos / 1000).append('.');
        long rest = nanos % 1000;
        if (rest < 100) {
            out.append('0');
        }
        if (rest < 10) {
            out.append('0');
        }
        out.append(rest);
    }

    private void string(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
