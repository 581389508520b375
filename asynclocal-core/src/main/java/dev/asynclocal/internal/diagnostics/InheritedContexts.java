package dev.asynclocal.internal.diagnostics;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.ThreadState;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Diagnostics for contexts that threads inherit from their starter (the rule is in
 * docs/agent.md, "New threads"): the agent gives a plain new thread its starter's context
 * provisionally and makes it let go when the thread waits for work from elsewhere. Two things
 * are worth telling a user about:
 * <ul>
 *   <li>a thread <em>released</em> its inherited context at such a wait: reported to the
 *       context-loss detector, because code after the wait that expected the starter's stores
 *       will not find them;</li>
 *   <li>a thread still in its inherited context <em>runs work captured in another context</em>:
 *       the nearest cheap sign that a long-lived thread (a worker that waits in a way the agent
 *       cannot see) holds on to the request that happened to start it. Reported to the detector,
 *       and in strict mode also printed once per site on standard error.</li>
 * </ul>
 * The second check sits on the capture path, so it is compiled in only when strict mode or the
 * detector is on at startup ({@link #WATCHING} is {@code static final}, and the JIT folds the
 * test away otherwise).
 */
public final class InheritedContexts {
    /** Whether {@link #entering} is called: strict mode or {@code -Dasynclocal.detectLoss=true}. */
    public static final boolean WATCHING = StrictMode.ENABLED || Boolean.getBoolean("asynclocal.detectLoss");

    /** Kind names, as in {@code ContextLossDetector.Loss.Kind}. */
    public static final String RELEASED = "INHERITED_CONTEXT_RELEASED";
    public static final String ON_WORKER = "INHERITED_CONTEXT_ON_WORKER";

    private static final int MAX_PRINTED_SITES = 256;
    private static final Set<String> PRINTED = ConcurrentHashMap.newKeySet();
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Receives reports while the context-loss detector is on. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param kind {@link #RELEASED} or {@link #ON_WORKER}
         * @param description what happened, in a sentence
         */
        void report(String kind, String description);
    }

    private static volatile Sink sink;

    private InheritedContexts() {
    }

    /**
     * Sets where reports go; the detector installs itself when enabled and removes itself when
     * disabled.
     *
     * @param newSink the sink, or {@code null}
     */
    public static void sink(Sink newSink) {
        sink = newSink;
    }

    /** The calling thread has just released its inherited context (see {@link ThreadState#releaseInherited}). */
    public static void released() {
        Sink current = sink;
        if (current != null) {
            current.report(RELEASED, "thread '" + Thread.currentThread().getName()
                    + "' let go of the context it inherited from the code that started it, because it started"
                    + " waiting for work here; what it runs from now on sees no store unless it is handed one");
        }
    }

    /**
     * A capture of {@code frame} is being entered on a thread whose context was {@code outer}.
     * Called only when {@link #WATCHING}.
     */
    public static void entering(Frame outer, Frame frame) {
        if (outer == Frame.EMPTY || outer == frame || !ThreadState.isInheritedHere(outer)
                || outer.isInheritedCopyOf(frame)) {
            // Not another context: the work was captured where the thread was started (the task
            // a thread-per-task executor started the thread for, say).
            return;
        }
        String description = "thread '" + Thread.currentThread().getName()
                + "' still holds the context it inherited from the code that started it, and runs work"
                + " captured in another context here; if the thread serves other work between such tasks,"
                + " that work sees the starter's stores";
        Sink current = sink;
        if (current != null) {
            current.report(ON_WORKER, description);
        }
        if (StrictMode.ENABLED) {
            String site = WALKER.walk(frames -> frames
                    .filter(f -> !f.getClassName().startsWith("dev.asynclocal."))
                    .findFirst()
                    .map(f -> f.toStackTraceElement().toString())
                    .orElse("?"));
            if (PRINTED.size() < MAX_PRINTED_SITES && PRINTED.add(site)) {
                System.err.println("asynclocal strict mode: " + description + " (at " + site
                        + "); see docs/agent.md#new-threads");
            }
        }
    }
}
