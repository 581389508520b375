package dev.asynclocal.internal.diagnostics;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.ThreadState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What {@code ContextLossDetector} does: finds reads of expected storages without a store and
 * tagged work that runs without its context, identifies each site by its stack, keeps it once in
 * {@link LossSites}, reports it to the listener and counts it, and emits the JFR events. See
 * docs/context-loss.md for what it reports and docs/design.md for its costs.
 */
public final class LossDetection {
    /** The system property that turns detection on at startup. */
    public static final String PROPERTY = "asynclocal.detectLoss";
    /** Sites kept at most; beyond that, new sites are counted as dropped. */
    static final int MAX_SITES = 1024;
    private static final int CREATION_FRAMES = 16;
    private static final int BOUNDARY_FRAMES = 8;
    private static final int READ_FRAMES = 256;
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** Read on the miss path of expected storages and by guarded executors. */
    private static volatile boolean enabled;
    private static volatile boolean jfr;
    private static volatile Consumer<? super LossSite> listener;
    /** Replaced, with a smaller limit, only by the tests' fixture. */
    static volatile LossSites sites = new LossSites(MAX_SITES);
    /** Set while this thread reports a loss, so a listener that loses a context itself cannot recurse. */
    private static final ThreadLocal<Boolean> REPORTING = new ThreadLocal<>();

    private LossDetection() {
    }

    public static synchronized void enable() {
        if (enabled) {
            return;
        }
        enabled = true;
        InheritedContexts.sink(LossDetection::inheritedContext);
        try {
            JfrBridge.start();
            jfr = true;
        } catch (LinkageError | RuntimeException noJfr) {
            // A runtime without jdk.jfr (a jlinked image, or the module not resolved): no events.
            jfr = false;
        }
    }

    public static synchronized void disable() {
        if (!enabled) {
            return;
        }
        enabled = false;
        InheritedContexts.sink(null);
        if (jfr) {
            JfrBridge.stop();
        }
    }

    public static boolean isEnabled() {
        return enabled;
    }

    public static List<LossSite> losses() {
        return sites.all();
    }

    public static void setListener(Consumer<? super LossSite> newListener) {
        listener = newListener;
    }

    public static Runnable watch(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!enabled || task instanceof WatchedRunnable) {
            return task;
        }
        Frame frame = ThreadState.frame();
        return frame == Frame.EMPTY ? task : new WatchedRunnable(task, frame, creationStack());
    }

    public static <V> Callable<V> watch(Callable<V> task) {
        Objects.requireNonNull(task, "task");
        if (!enabled || task instanceof WatchedCallable) {
            return task;
        }
        Frame frame = ThreadState.frame();
        return frame == Frame.EMPTY ? task : new WatchedCallable<>(task, frame, creationStack());
    }

    public static Executor guard(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return executor instanceof GuardedExecutor ? executor : new GuardedExecutor(executor);
    }

    /**
     * An expected storage was read without a store.
     *
     * @param storage the storage (its identity tells sites apart)
     * @param name its name, {@code ""} if it has none
     */
    public static void readWithoutStore(Object storage, String name) {
        if (REPORTING.get() != null) {
            return;
        }
        List<StackWalker.StackFrame> stack = WALKER.walk(frames -> frames
                .dropWhile(f -> isOwnFrame(f) || f.getClassName().equals("dev.asynclocal.AsyncLocalStorage"))
                .limit(READ_FRAMES)
                .collect(Collectors.toList()));
        int boundary = stack.size() < READ_FRAMES ? boundaryIndex(stack) : -1;
        List<StackWalker.StackFrame> site = boundary < 0 ? stack : stack.subList(0, boundary);
        List<StackWalker.StackFrame> below = boundary < 0
                ? List.of() : stack.subList(boundary, Math.min(stack.size(), boundary + BOUNDARY_FRAMES));
        Frame frame = ThreadState.frame();
        String described = name.isEmpty() ? "AsyncLocalStorage@" + Integer.toHexString(System.identityHashCode(storage))
                : name;
        record(new LossSites.Key(storage, site, below.isEmpty() ? null : below.get(0)), LossSite.Kind.EXPECTED_STORE,
                described, site, below, () -> frame == Frame.EMPTY
                        ? "the thread runs outside any context"
                        : "the thread's context holds " + frame.size() + " other store(s) but none of this storage");
    }

    /** A watched task is about to run: checks that the running context carries its own. */
    private static void check(Frame created, List<StackWalker.StackFrame> creation) {
        if (!enabled) {
            return;
        }
        Frame running = ThreadState.frame();
        if (running.carries(created) || REPORTING.get() != null) {
            return;
        }
        List<StackWalker.StackFrame> below = WALKER.walk(frames -> frames
                .dropWhile(LossDetection::isOwnFrame)
                .limit(BOUNDARY_FRAMES)
                .collect(Collectors.toList()));
        record(new LossSites.Key(null, creation, null), LossSite.Kind.WATCHED_WORK, null, creation, below,
                () -> describeArrival(created, running));
    }

    /**
     * A thread let go of the context it inherited, or still holds it while it runs another
     * context's work (see {@link InheritedContexts}); the site is where that happened.
     */
    private static void inheritedContext(String kind, String description) {
        if (!enabled || REPORTING.get() != null) {
            return;
        }
        List<StackWalker.StackFrame> site = WALKER.walk(frames -> frames
                .dropWhile(f -> isOwnFrame(f) || f.getClassName().startsWith("dev.asynclocal."))
                .limit(CREATION_FRAMES)
                .collect(Collectors.toList()));
        record(new LossSites.Key(null, site, null), LossSite.Kind.valueOf(kind), null, site, List.of(), () -> description);
    }

    private static String describeArrival(Frame created, Frame running) {
        if (running == Frame.EMPTY) {
            return "the thread runs outside any context";
        }
        int[] kept = {0};
        created.forEachEntry((key, store) -> {
            if (running.get(key) == store) {
                kept[0]++;
            }
            return true;
        });
        return "the thread's context carries " + kept[0] + " of the " + created.size()
                + " store(s) the work was created with";
    }

    /** Counts a loss at {@code key}; the first time, builds the report (the context text only then) and delivers it. */
    private static void record(LossSites.Key key, LossSite.Kind kind, String storage, List<StackWalker.StackFrame> site,
            List<StackWalker.StackFrame> below, Supplier<String> context) {
        boolean[] isNew = {false};
        LossSite loss = sites.find(key, sequence -> new LossSite(sequence, kind, storage, toElements(site),
                toElements(below), Thread.currentThread().getName(), context.get()), isNew);
        if (loss == null) {
            return;
        }
        long count = loss.occurred();
        REPORTING.set(Boolean.TRUE);
        try {
            if (isNew[0]) {
                deliver(loss);
            }
            if (jfr) {
                JfrBridge.lost(kind.name(), loss.storageName(), loss::siteText, loss.boundaryText(), count);
            }
        } catch (Throwable ignored) {
            // A diagnostic must never break the code it watches.
        } finally {
            REPORTING.remove();
        }
    }

    private static void deliver(LossSite loss) {
        Consumer<? super LossSite> current = listener;
        if (current != null) {
            current.accept(loss);
        } else {
            System.err.print(loss.report());
            System.err.flush();
        }
    }

    private static List<StackWalker.StackFrame> creationStack() {
        return WALKER.walk(frames -> frames
                .dropWhile(LossDetection::isOwnFrame)
                .limit(CREATION_FRAMES)
                .collect(Collectors.toList()));
    }

    /** The detector's own frames, never part of a site. */
    private static boolean isOwnFrame(StackWalker.StackFrame frame) {
        String name = frame.getClassName();
        return name.startsWith("dev.asynclocal.internal.diagnostics.") || name.equals("dev.asynclocal.ContextLossDetector");
    }

    /**
     * Where the work ends and the code that ran it begins: the top of the run of JDK (and
     * library-internal) frames at the bottom of the stack, or -1 when the bottom frame is
     * application code (a {@code main} method: there was no boundary).
     */
    static int boundaryIndex(List<StackWalker.StackFrame> stack) {
        int boundary = stack.size();
        while (boundary > 0 && isRuntimeFrame(stack.get(boundary - 1).getDeclaringClass().getName())) {
            boundary--;
        }
        return boundary == stack.size() || boundary == 0 ? -1 : boundary;
    }

    private static boolean isRuntimeFrame(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.")
                || className.startsWith("dev.asynclocal.internal.");
    }

    private static List<StackTraceElement> toElements(List<StackWalker.StackFrame> frames) {
        List<StackTraceElement> elements = new ArrayList<>(frames.size());
        for (StackWalker.StackFrame frame : frames) {
            elements.add(frame.toStackTraceElement());
        }
        return Collections.unmodifiableList(elements);
    }

    private static final class WatchedRunnable implements Runnable {
        private final Runnable task;
        private final Frame frame;
        private final List<StackWalker.StackFrame> creation;

        WatchedRunnable(Runnable task, Frame frame, List<StackWalker.StackFrame> creation) {
            this.task = task;
            this.frame = frame;
            this.creation = creation;
        }

        @Override
        public void run() {
            check(frame, creation);
            task.run();
        }

        @Override
        public String toString() {
            return task.toString();
        }
    }

    private static final class WatchedCallable<V> implements Callable<V> {
        private final Callable<V> task;
        private final Frame frame;
        private final List<StackWalker.StackFrame> creation;

        WatchedCallable(Callable<V> task, Frame frame, List<StackWalker.StackFrame> creation) {
            this.task = task;
            this.frame = frame;
            this.creation = creation;
        }

        @Override
        public V call() throws Exception {
            check(frame, creation);
            return task.call();
        }

        @Override
        public String toString() {
            return task.toString();
        }
    }

    private static final class GuardedExecutor implements Executor {
        private final Executor delegate;

        GuardedExecutor(Executor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable command) {
            Objects.requireNonNull(command, "command");
            delegate.execute(enabled ? watch(command) : command);
        }

        @Override
        public String toString() {
            return "ContextLossDetector.guard(" + delegate + ")";
        }
    }
}
