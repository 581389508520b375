package dev.asynclocal.junit;

import dev.asynclocal.internal.Engine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * A JUnit Jupiter extension that fails a test which leaves an asynclocal context behind, and says
 * where that context was set.
 * <pre>{@code
 * @ExtendWith(ContextLeakExtension.class)      // or @DetectContextLeaks
 * class CheckoutServiceTest { ... }
 * }</pre>
 * It can also be turned on for every test class at once through JUnit's extension
 * auto-detection ({@code junit.jupiter.extensions.autodetection.enabled=true}): the jar
 * registers it as a service.
 *
 * <p><b>What it checks.</b> A context can only outlive the code that set it through
 * {@link dev.asynclocal.AsyncLocalStorage#enterWith enterWith} or a
 * {@link dev.asynclocal.AsyncLocalStorage#withScope withScope} that is never closed: {@code run},
 * {@code exit}, snapshots, async resources and every propagated task restore the whole previous
 * context by themselves. While a test runs, the extension records each of those two calls (the
 * thread, the context before and after, and the call's stack). When the test ends it checks:
 * <ul>
 *   <li>the test's thread: its context must be the one it had before the test (and before
 *       {@code @BeforeEach} methods). If not, the test fails, naming each call whose store is
 *       still there, and the extension puts the previous context back, so the next test starts
 *       clean;</li>
 *   <li>every other thread on which such a call was made (a pool thread running a task that was
 *       not propagated, a thread a library started): if it still holds a context set during the
 *       test, the test fails the same way. Those threads cannot be cleaned from outside: the
 *       report says that later tasks on them will see the context.</li>
 * </ul>
 * The same check runs around the whole class ({@code @BeforeAll} to {@code @AfterAll}) and fails
 * the class when a class-level method leaks.
 *
 * <p><b>Reading other threads.</b> A thread's context is a plain field that only that thread
 * writes. Right after a test, a pool thread may still be finishing the task the test waited for
 * (a future is completed inside the task, before the task restores the thread's context), so the
 * extension waits for each such thread to settle: to become idle (waiting or parked, as pool
 * threads are between tasks), to end, or to drop the context, up to
 * {@value #SETTLE_MILLIS} ms. A thread that ended took its context with it and is not reported.
 * A thread still running or blocked inside work the test started when that time is up is
 * reported: the test ended before its work did.
 *
 * <p><b>Limits.</b> With JUnit's parallel execution, calls made by concurrently running tests on
 * shared pool threads are seen by every running test's check, so a leak may be reported by a
 * neighbour too; the test-thread check stays exact. A test method run on a separate thread
 * ({@code @Timeout(threadMode = SEPARATE_THREAD)}) is checked like any other thread: what it
 * leaves behind is reported, but not cleaned.
 */
public final class ContextLeakExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    /** How long another thread may take to settle after the test. */
    static final long SETTLE_MILLIS = 2000;

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            ContextLeakExtension.class);
    private static final String KEY = "check";

    /** Creates the extension; JUnit does this for {@code @ExtendWith}. */
    public ContextLeakExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        begin(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        end(context, "the test class (@BeforeAll/@AfterAll)");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        begin(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        end(context, "the test");
    }

    private static void begin(ExtensionContext context) {
        Object[] state = Engine.threadState();
        context.getStore(NAMESPACE).put(KEY, new Check(state, Engine.frame(), Tracking.open()));
    }

    private static void end(ExtensionContext context, String what) {
        Check check = context.getStore(NAMESPACE).remove(KEY, Check.class);
        if (check == null) {
            return;
        }
        try {
            String report = check.verify(what);
            if (report != null) {
                throw new AssertionFailedError(report);
            }
        } finally {
            Tracking.close(check.collector);
        }
    }

    /** The state of one check: the thread it started on, its context then, and the recorded calls. */
    private static final class Check {
        final Object[] ownState;
        final Object ownBefore;
        final Tracking.Collector collector;

        Check(Object[] ownState, Object ownBefore, Tracking.Collector collector) {
            this.ownState = ownState;
            this.ownBefore = ownBefore;
            this.collector = collector;
        }

        /** The failure report, or {@code null} when nothing was left behind. */
        String verify(String what) {
            Object[] current = Engine.threadState();
            List<Tracking.Entry> entries = collector.unchecked();
            Map<Object[], List<Tracking.Entry>> byThread = new LinkedHashMap<>();
            for (Tracking.Entry entry : entries) {
                byThread.computeIfAbsent(entry.state, s -> new ArrayList<>()).add(entry);
            }
            List<String> leaks = new ArrayList<>();

            // This thread: exact, and repaired.
            if (current == ownState) {
                List<Tracking.Entry> mine = byThread.getOrDefault(current, List.of());
                if (Engine.frame() != ownBefore) {
                    leaks.add(describe(Thread.currentThread().getName() + "\" (the test's thread)",
                            still(mine, Engine.frame(), ownBefore),
                            "  The extension put back the context this thread had before " + what + "."));
                    Engine.enter(ownBefore);
                }
                byThread.remove(current);
            }

            // Other threads: what they still hold once they have settled.
            for (Map.Entry<Object[], List<Tracking.Entry>> thread : byThread.entrySet()) {
                List<Tracking.Entry> calls = thread.getValue();
                Thread owner = calls.get(0).thread;
                Object baseline = calls.get(0).previous;
                List<Tracking.Entry> left = settle(owner, thread.getKey(), calls, baseline);
                if (!left.isEmpty()) {
                    String note = owner.isAlive() && owner.getState() == Thread.State.RUNNABLE
                            ? "  The thread is still running work of " + what + " in that context."
                            : "  The thread keeps that context: every task it runs from now on sees it.";
                    leaks.add(describe(owner.getName() + "\"", left, note));
                }
            }
            for (Tracking.Entry entry : entries) {
                entry.checked = true;
            }
            if (leaks.isEmpty()) {
                return null;
            }
            StringBuilder report = new StringBuilder();
            report.append(capitalise(what)).append(" left an asynclocal context behind on ").append(leaks.size())
                    .append(leaks.size() == 1 ? " thread:\n" : " threads:\n");
            for (String leak : leaks) {
                report.append(leak);
            }
            report.append("End each context with the code that needs it: storage.run(value, () -> ...), or"
                    + " try (var scope = storage.withScope(value)) { ... }; hand work to other threads through"
                    + " AsyncExecutors.wrap(...) so that they get it back.");
            return report.toString();
        }

        /**
         * The calls whose stores {@code state}'s thread still holds, once it has settled; empty if
         * it holds none (or ended).
         */
        private static List<Tracking.Entry> settle(Thread owner, Object[] state, List<Tracking.Entry> calls,
                Object baseline) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
            while (true) {
                Thread.State threadState = owner.getState();
                List<Tracking.Entry> left = still(calls, Engine.frameSeenFromAnotherThread(state), baseline);
                if (left.isEmpty() || threadState == Thread.State.TERMINATED) {
                    return List.of();
                }
                boolean idle = threadState == Thread.State.WAITING || threadState == Thread.State.TIMED_WAITING;
                if (idle) {
                    // Read once more now that the thread is parked: a restore it made just before is visible.
                    return still(calls, Engine.frameSeenFromAnotherThread(state), baseline);
                }
                if (System.nanoTime() > deadline) {
                    return left;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return left;
                }
            }
        }

        /** The calls whose store is still in {@code frame} and was not already in {@code baseline}. */
        private static List<Tracking.Entry> still(List<Tracking.Entry> calls, Object frame, Object baseline) {
            List<Tracking.Entry> left = new ArrayList<>();
            for (Tracking.Entry call : calls) {
                if (Engine.carries(frame, call.installed) && !Engine.carries(baseline, call.installed)) {
                    left.add(call);
                }
            }
            return left;
        }

        private static String describe(String thread, List<Tracking.Entry> calls, String note) {
            StringBuilder out = new StringBuilder();
            out.append("- thread \"").append(thread).append(":\n");
            if (calls.isEmpty()) {
                out.append("  its context changed, but not through enterWith or withScope\n");
            }
            for (Tracking.Entry call : calls) {
                out.append("  ").append(call.storage).append('=').append(call.store).append(", set by ")
                        .append(call.scope ? "withScope (never closed)" : "enterWith").append(" at:\n");
                for (StackTraceElement frame : call.site) {
                    out.append("      at ").append(frame).append('\n');
                }
            }
            return out.append(note).append('\n').toString();
        }

        private static String capitalise(String text) {
            return Character.toUpperCase(text.charAt(0)) + text.substring(1);
        }
    }
}
