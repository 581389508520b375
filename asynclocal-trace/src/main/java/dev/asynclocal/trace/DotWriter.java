package dev.asynclocal.trace;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Trace} as a Graphviz digraph, left to right: a cluster per request (the first
 * request at the top), a box per resource, an edge
 * from each trigger to what it created. Roots hang from an ellipse for their trigger: "top level
 * on thread T" when they were created outside any resource, or the id of a resource that was not
 * recorded. Node ids are {@code r<asyncId>} for resources and {@code t<request>_<n>} for those
 * ellipses.
 */
final class DotWriter {
    private static final String[] FILLS = {"#dbe9f6", "#e3f1df", "#fbe8d3", "#efe1f5", "#f9f3cf", "#dff3f1"};

    private final Trace trace;
    private final StringBuilder out = new StringBuilder(2048);
    private final Map<String, String> fills = new HashMap<>();

    DotWriter(Trace trace) {
        this.trace = trace;
    }

    String write() {
        out.append("digraph asynclocal {\n");
        out.append("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, nodesep=0.25, ranksep=0.4];\n");
        out.append("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10,"
                + " color=\"#5b6b7f\", fillcolor=\"#dbe9f6\"];\n");
        out.append("  edge [color=\"#5b6b7f\", arrowsize=0.7];\n");
        // Laid out left to right, Graphviz stacks disconnected clusters bottom-up in the order they
        // are written; writing the last request first puts the first one at the top.
        List<Map.Entry<String, List<TracedResource>>> requests = new java.util.ArrayList<>(trace.byRequest().entrySet());
        for (int index = requests.size(); index >= 1; index--) {
            Map.Entry<String, List<TracedResource>> request = requests.get(index - 1);
            writeRequest(index, request.getKey(), request.getValue());
        }
        out.append("}\n");
        return out.toString();
    }

    private void writeRequest(int index, String label, List<TracedResource> resources) {
        out.append("  subgraph cluster_").append(index).append(" {\n");
        out.append("    label=").append(quote("request " + label)).append(";\n");
        out.append("    style=\"rounded,dashed\"; color=\"#9aa7b8\";\n");
        Set<Long> recorded = new LinkedHashSet<>();
        for (TracedResource resource : resources) {
            recorded.add(resource.asyncId());
        }
        Map<String, String> origins = new LinkedHashMap<>();
        for (TracedResource resource : resources) {
            if (!recorded.contains(resource.triggerAsyncId())) {
                String origin = resource.triggerAsyncId() == 1
                        ? "top level\non " + resource.initThreadName()
                        : "#" + resource.triggerAsyncId() + "\n(not traced)";
                origins.computeIfAbsent(origin, o -> "t" + index + "_" + (origins.size() + 1));
            }
        }
        for (Map.Entry<String, String> origin : origins.entrySet()) {
            out.append("    ").append(origin.getValue()).append(" [shape=ellipse, fillcolor=\"#ffffff\", label=")
                    .append(quote(origin.getKey())).append("];\n");
        }
        for (TracedResource resource : resources) {
            out.append("    r").append(resource.asyncId()).append(" [label=").append(quote(label(resource)))
                    .append(", fillcolor=\"").append(fill(resource.type())).append("\"];\n");
        }
        for (TracedResource resource : resources) {
            String from;
            if (recorded.contains(resource.triggerAsyncId())) {
                from = "r" + resource.triggerAsyncId();
            } else {
                from = origins.get(resource.triggerAsyncId() == 1
                        ? "top level\non " + resource.initThreadName()
                        : "#" + resource.triggerAsyncId() + "\n(not traced)");
            }
            out.append("    ").append(from).append(" -> r").append(resource.asyncId()).append(";\n");
        }
        out.append("  }\n");
    }

    private static String label(TracedResource resource) {
        StringBuilder label = new StringBuilder();
        label.append(resource.name()).append('\n');
        label.append("created on ").append(resource.initThreadName()).append(" at ").append(ms(resource.initNanos()));
        List<TracedResource.Run> runs = resource.runs();
        if (runs.isEmpty()) {
            label.append("\nnot run");
        } else if (runs.size() == 1) {
            TracedResource.Run run = runs.get(0);
            label.append("\nran on ").append(run.threadName()).append(" at ").append(ms(run.startNanos()));
            label.append(run.endNanos() >= 0 ? ", " + duration(run.endNanos() - run.startNanos()) : ", unfinished");
        } else {
            Set<String> threads = new LinkedHashSet<>();
            long total = 0;
            for (TracedResource.Run run : runs) {
                threads.add(run.threadName());
                total += run.endNanos() >= 0 ? run.endNanos() - run.startNanos() : 0;
            }
            label.append("\nran ").append(runs.size()).append("x on ").append(String.join(", ", threads))
                    .append(", ").append(duration(total)).append(" in all");
        }
        if (resource.destroyNanos() >= 0) {
            label.append("\ndestroyed at ").append(ms(resource.destroyNanos()));
        }
        return label.toString();
    }

    private String fill(String type) {
        return fills.computeIfAbsent(type, t -> FILLS[fills.size() % FILLS.length]);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "+%.3f ms", nanos / 1e6);
    }

    private static String duration(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    /** A DOT double-quoted string; line breaks become centred {@code \n} line breaks, tabs spaces, other controls nothing. */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c == '\n') {
                quoted.append("\\n");
            } else if (c >= 0x20) {
                quoted.append(c);
            } else if (c == '\t') {
                quoted.append(' ');
            }
        }
        return quoted.append('"').toString();
    }
}
