package dev.asynclocal.internal.diagnostics;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One site where a context was lost: immutable except for its count. The public API shows it
 * through a view of its own ({@link #view}), so that nothing here depends on the API's types.
 */
public final class LossSite {
    /** What was lost where; the API's {@code Loss.Kind} has the same constants. */
    public enum Kind {
        WATCHED_WORK,
        EXPECTED_STORE,
        INHERITED_CONTEXT_RELEASED,
        INHERITED_CONTEXT_ON_WORKER
    }

    private final long sequence;
    private final Kind kind;
    private final String storage;
    private final List<StackTraceElement> site;
    private final List<StackTraceElement> below;
    private final String threadName;
    private final String context;
    private final AtomicLong count = new AtomicLong();
    private volatile String siteText;
    private volatile Object view;

    LossSite(long sequence, Kind kind, String storage, List<StackTraceElement> site, List<StackTraceElement> below,
            String threadName, String context) {
        this.sequence = sequence;
        this.kind = kind;
        this.storage = storage;
        this.site = site;
        this.below = below;
        this.threadName = threadName;
        this.context = context;
    }

    long sequence() {
        return sequence;
    }

    long occurred() {
        return count.incrementAndGet();
    }

    public Kind kind() {
        return kind;
    }

    public String storageName() {
        return storage;
    }

    public List<StackTraceElement> site() {
        return site;
    }

    public StackTraceElement boundary() {
        return below.isEmpty() ? null : below.get(0);
    }

    public String threadName() {
        return threadName;
    }

    public long count() {
        return count.get();
    }

    public String report() {
        StringBuilder out = new StringBuilder(1024);
        if (kind == Kind.INHERITED_CONTEXT_RELEASED || kind == Kind.INHERITED_CONTEXT_ON_WORKER) {
            out.append("asynclocal: ").append(context).append('\n');
            out.append("  at:\n");
            appendFrames(out, site, -1);
            out.append(kind == Kind.INHERITED_CONTEXT_RELEASED
                    ? "  If the thread was started for one piece of work that waits for its own input here, bind"
                            + " its task (new Thread(AsyncLocalStorage.bind(task))) or set the context inside it"
                            + " with run(); see docs/agent.md#new-threads.\n"
                    : "  Start such a thread outside any context, from a ThreadFactory, or let it take work"
                            + " from a BlockingQueue; see docs/agent.md#new-threads.\n");
            out.append("  Later occurrences at this site are only counted (ContextLossDetector.losses()).\n");
            return out.toString();
        }
        if (kind == Kind.WATCHED_WORK) {
            out.append("asynclocal: context lost: work created inside a context ran without it, on thread \"")
                    .append(threadName).append("\" (").append(context).append(")\n");
            out.append("  created at:\n");
            appendFrames(out, site, -1);
        } else {
            out.append("asynclocal: context lost: ").append(storage)
                    .append(".getStore() found no store, on thread \"").append(threadName).append("\" (")
                    .append(context).append(")\n");
            out.append("  read at:\n");
            appendFrames(out, site, below.isEmpty() ? -1 : site.size() - 1);
        }
        if (below.isEmpty()) {
            out.append("  no boundary: the read is in the thread's own code, outside any work handed to it\n");
        } else {
            out.append("  lost at the boundary that ran the work:\n");
            appendFrames(out, below, -1);
        }
        out.append("  Carry the context across this boundary: AsyncExecutors.wrap(executor),"
                + " AsyncLocalStorage.bind(callback), an AsyncResource for your own queue, or the agent.\n");
        out.append("  Later losses at this site are only counted (ContextLossDetector.losses()).\n");
        return out.toString();
    }

    private static void appendFrames(StringBuilder out, List<StackTraceElement> frames, int work) {
        for (int i = 0; i < frames.size(); i++) {
            StackTraceElement frame = frames.get(i);
            out.append("    at ").append(frame);
            if (i == work) {
                out.append(frame.getMethodName().startsWith("lambda$")
                        ? "   <- the work (a lambda: created at this line)"
                        : "   <- the work");
            }
            out.append('\n');
        }
    }

    /**
     * The API's view of this site, made once by {@code make}: the same object wherever the site
     * is shown (the listener, {@code losses()}).
     *
     * @param make makes the view
     * @return the view
     */
    public Object view(Function<LossSite, Object> make) {
        Object made = view;
        if (made == null) {
            synchronized (this) {
                made = view;
                if (made == null) {
                    made = make.apply(this);
                    view = made;
                }
            }
        }
        return made;
    }

    /** The site as text, for the JFR event; made once, on the first loss a recording wants. */
    String siteText() {
        String text = siteText;
        if (text == null) {
            text = site.stream().map(StackTraceElement::toString).collect(Collectors.joining("\n"));
            siteText = text;
        }
        return text;
    }

    String boundaryText() {
        StackTraceElement boundary = boundary();
        return boundary == null ? null : boundary.toString();
    }

    /** The first line of the report and the count. */
    @Override
    public String toString() {
        String report = report();
        return report.substring(0, report.indexOf('\n')) + " [" + count() + "x]";
    }
}
