package dev.asynclocal;

import dev.asynclocal.internal.Frame;
import dev.asynclocal.internal.InheritedContexts;
import dev.asynclocal.internal.JfrBridge;
import dev.asynclocal.internal.ThreadState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Finds where the context goes missing: reports work that was created inside a context and ran
 * without it, once per site, with the stack of the site and the boundary where it was lost, and
 * counts every occurrence.
 *
 * <p>Off by default. Turn it on at startup with {@code -Dasynclocal.detectLoss=true}, or with
 * {@link #enable()}. Then it watches two things:
 * <ul>
 *   <li><b>Storages that must always have a store.</b> After
 *       {@link #expectStore(AsyncLocalStorage) expectStore(REQUEST_ID)}, every
 *       {@code REQUEST_ID.getStore()} that finds no store is a loss. The report shows the stack
 *       of the read, the <em>work</em> that read it (the outermost frame of your code on that
 *       thread: for a lambda, the line where the lambda was written, which is where the work was
 *       created) and the <em>boundary</em> that ran the work (the JDK frame below it, such as
 *       {@code ThreadPoolExecutor.runWorker} for an executor nobody wrapped, or
 *       {@code Thread.run} for a thread a library started). No code change is needed besides
 *       the one call, so this is the way to find losses you do not know about.</li>
 *   <li><b>Work you tag.</b> {@link #watch(Runnable)} records the context and the stack where a
 *       task or callback is created; {@link #guard(Executor)} does it for every task given to an
 *       executor. When the work runs in a context that does not carry every store it was created
 *       with, that is a loss, reported with the full creation stack. Use it at a boundary you
 *       suspect: a callback you register with a library, what you put in a queue, an executor a
 *       framework hands you. With the detector off, {@code watch} returns its argument and a
 *       guarded executor passes tasks straight through, so the calls can stay in the code.</li>
 * </ul>
 * Neither changes what any code sees: the detector reports a loss, it does not repair it (for
 * that, see {@link AsyncExecutors}, {@link AsyncLocalStorage#bind}, {@link AsyncResource}, or the
 * agent).
 * <pre>{@code
 * ContextLossDetector.enable();                 // or -Dasynclocal.detectLoss=true
 * ContextLossDetector.expectStore(REQUEST_ID);  // a request id must be there wherever it is read
 * }</pre>
 *
 * <p>Each site is reported once, to the listener set with {@link #setListener} (by default, the
 * report is printed on standard error); later occurrences only increment {@link Loss#count()}.
 * {@link #losses()} lists every site seen so far. While the detector is on, it also emits JFR
 * events (when the runtime has {@code jdk.jfr} and a recording is running):
 * {@code dev.asynclocal.ContextLoss} for each loss, {@code dev.asynclocal.ContextCapture} for each
 * captured operation and {@code dev.asynclocal.ContextRestore} around each run of one, so
 * {@code jfr print --categories asynclocal} and Mission Control show them.
 *
 * <p>What it cannot see: without a tag, work that never reads an expected storage (its loss is
 * only visible later, to the work it creates in turn); work that runs in a <em>different</em>
 * context that happens to carry a store of the expected storage (a library thread that stays
 * inside an old request's context: the read finds a store, just the wrong one; a watched task
 * does catch this); and, for reads, the full stack of the creation site: only tagged work records
 * it, because the JVM gives a library no hook where an arbitrary lambda is created. The agent
 * makes the JDK's executors, futures, timers and threads propagate, so with it the losses left
 * are at libraries' own queues and threads, which this detector finds the same way.
 *
 * @implNote Off, the detector costs one volatile read on the path where {@code getStore()} finds
 *     no store of an expected storage, and one per task in a guarded executor; nothing anywhere
 *     else. On, each watched task costs a stack walk at creation (bounded to 16 frames) and a
 *     comparison of frames when it runs; each read of an expected storage without a store costs a
 *     stack walk; stores that are found cost nothing. At most 1024 sites are kept.
 */
public final class ContextLossDetector {
    /** The system property that turns the detector on at startup: {@code -Dasynclocal.detectLoss=true}. */
    public static final String PROPERTY = "asynclocal.detectLoss";

    static final int MAX_SITES = 1024;
    /** {@link #MAX_SITES}, lowered by tests. */
    static int maxSites = MAX_SITES;
    private static final int CREATION_FRAMES = 16;
    private static final int BOUNDARY_FRAMES = 8;
    private static final int READ_FRAMES = 256;
    /*
     * Frames are identified by declaring class and bytecode index, never by method name: a class's
     * name is cached in the Class (with its hash), while resolving a frame's method name costs more
     * than the walk itself. Two sites would only be confused if every frame of both stacks had the
     * same class and index, which in practice means the same site.
     */
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** Read on the miss path of expected storages and by guarded executors. */
    static volatile boolean enabled;
    private static volatile boolean jfr;
    private static volatile Consumer<? super Loss> listener;
    private static final ConcurrentHashMap<SiteKey, Loss> SITES = new ConcurrentHashMap<>();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final AtomicLong DROPPED = new AtomicLong();
    /** Set while this thread reports a loss, so a listener that loses a context itself cannot recurse. */
    private static final ThreadLocal<Boolean> REPORTING = new ThreadLocal<>();

    private ContextLossDetector() {
    }

    /**
     * Turns detection on (and the JFR events with it, where available). Does nothing if it is on.
     */
    public static synchronized void enable() {
        if (enabled) {
            return;
        }
        enabled = true;
        InheritedContexts.sink(ContextLossDetector::inheritedContext);
        try {
            JfrBridge.start();
            jfr = true;
        } catch (LinkageError | RuntimeException noJfr) {
            // A runtime without jdk.jfr (a jlinked image, or the module not resolved): no events.
            jfr = false;
        }
    }

    /** Turns detection off. Sites seen so far stay in {@link #losses()}. */
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

    /**
     * Whether detection is on.
     *
     * @return {@code true} between {@link #enable()} (or startup with the property set) and
     *     {@link #disable()}
     */
    public static boolean isEnabled() {
        return enabled;
    }

    /**
     * Declares that {@code storage} must have a store wherever it is read: from now on, while the
     * detector is on, each {@link AsyncLocalStorage#getStore()} of it that finds none is a loss.
     * Use it for values every unit of work sets before anything reads them (a request id, the
     * current user), not for ones read outside that work on purpose; a read inside
     * {@link AsyncLocalStorage#exit} or after {@link AsyncLocalStorage#disable()} counts too.
     * The declaration lasts as long as the instance.
     *
     * @param storage the storage
     * @throws NullPointerException if {@code storage} is {@code null}
     */
    public static void expectStore(AsyncLocalStorage<?> storage) {
        Objects.requireNonNull(storage, "storage");
        storage.expectStore();
    }

    /**
     * Tags {@code task} with the context and the stack of this call: if the detector is on and
     * the task later runs in a context that lacks a store it was created with, the loss is
     * reported with this call's stack as the creation site. The result runs {@code task} in
     * whatever context it is run in; it does not propagate anything. Returns {@code task} itself
     * when the detector is off or the current context is empty (nothing to lose).
     *
     * @param task the task
     * @return the tagged task, or {@code task}
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static Runnable watch(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!enabled || task instanceof WatchedRunnable) {
            return task;
        }
        Frame frame = ThreadState.frame();
        return frame == Frame.EMPTY ? task : new WatchedRunnable(task, frame, creationStack());
    }

    /**
     * Tags {@code task} as {@link #watch(Runnable)} does.
     *
     * @param task the task
     * @param <V> the result type
     * @return the tagged task, or {@code task}
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static <V> Callable<V> watch(Callable<V> task) {
        Objects.requireNonNull(task, "task");
        if (!enabled || task instanceof WatchedCallable) {
            return task;
        }
        Frame frame = ThreadState.frame();
        return frame == Frame.EMPTY ? task : new WatchedCallable<>(task, frame, creationStack());
    }

    /**
     * Returns an executor that hands every task to {@code executor} {@linkplain #watch(Runnable)
     * tagged}, so that a task which runs without the context it was submitted in is reported with
     * the stack of its {@code execute} call. It propagates nothing: to fix what it finds, use
     * {@link AsyncExecutors#wrap(Executor)}.
     *
     * @param executor the executor to watch
     * @return the guarding executor
     * @throws NullPointerException if {@code executor} is {@code null}
     */
    public static Executor guard(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return executor instanceof GuardedExecutor ? executor : new GuardedExecutor(executor);
    }

    /**
     * Every site where a context was lost since startup (or since the sites were last cleared),
     * in the order they were first seen. Counts keep increasing after this call.
     *
     * @return the sites, an unmodifiable list
     */
    public static List<Loss> losses() {
        List<Loss> all = new ArrayList<>(SITES.values());
        all.sort(Comparator.comparingLong(loss -> loss.sequence));
        return Collections.unmodifiableList(all);
    }

    /**
     * Sets what receives the report of each new site (once per site, on the thread where the
     * loss happened; keep it short). {@code null} restores the default, which prints
     * {@link Loss#report()} on standard error. An exception thrown by the listener is dropped.
     *
     * @param newListener the listener, or {@code null} for the default
     */
    public static void setListener(Consumer<? super Loss> newListener) {
        listener = newListener;
    }

    /** Forgets every site (tests). */
    static void clearSites() {
        SITES.clear();
        DROPPED.set(0);
    }

    /** Losses at new sites that were not recorded because {@link #maxSites} were already kept. */
    static long dropped() {
        return DROPPED.get();
    }

    // ---------------------------------------------------------------- detection

    /** Called by {@link AsyncLocalStorage#getStore()} when an expected storage has no store. */
    static void readWithoutStore(AsyncLocalStorage<?> storage) {
        if (REPORTING.get() != null) {
            return;
        }
        List<StackWalker.StackFrame> stack = WALKER.walk(frames -> frames
                .dropWhile(f -> isOwnFrame(f) || f.getDeclaringClass() == AsyncLocalStorage.class)
                .limit(READ_FRAMES)
                .collect(Collectors.toList()));
        int boundary = stack.size() < READ_FRAMES ? boundaryIndex(stack) : -1;
        List<StackWalker.StackFrame> site = boundary < 0 ? stack : stack.subList(0, boundary);
        List<StackWalker.StackFrame> below = boundary < 0
                ? List.of() : stack.subList(boundary, Math.min(stack.size(), boundary + BOUNDARY_FRAMES));
        Frame frame = ThreadState.frame();
        SiteKey key = new SiteKey(storage, site, below.isEmpty() ? null : below.get(0));
        record(key, Loss.Kind.EXPECTED_STORE, storage, site, below, () -> frame == Frame.EMPTY
                ? "the thread runs outside any context"
                : "the thread's context holds " + frame.size() + " other store(s) but none of this storage");
    }

    /** A watched task is about to run: checks that the running context carries its own. */
    static void check(Watched work) {
        if (!enabled) {
            return;
        }
        Frame running = ThreadState.frame();
        if (running.carries(work.frame) || REPORTING.get() != null) {
            return;
        }
        List<StackWalker.StackFrame> below = WALKER.walk(frames -> frames
                .dropWhile(ContextLossDetector::isOwnFrame)
                .limit(BOUNDARY_FRAMES)
                .collect(Collectors.toList()));
        record(new SiteKey(null, work.creation, null), Loss.Kind.WATCHED_WORK, null, work.creation, below,
                () -> describeArrival(work.frame, running));
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
        record(new SiteKey(null, site, null), Loss.Kind.valueOf(kind), null, site, List.of(), () -> description);
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
    private static void record(SiteKey key, Loss.Kind kind, AsyncLocalStorage<?> storage,
            List<StackWalker.StackFrame> site, List<StackWalker.StackFrame> below, Supplier<String> context) {
        Loss loss = SITES.get(key);
        boolean first = false;
        if (loss == null) {
            if (SITES.size() >= maxSites) {
                DROPPED.incrementAndGet();
                return;
            }
            Loss fresh = new Loss(SEQUENCE.incrementAndGet(), kind, storage == null ? null : describe(storage),
                    toElements(site), toElements(below), Thread.currentThread().getName(), context.get());
            loss = SITES.putIfAbsent(key, fresh);
            if (loss == null) {
                loss = fresh;
                first = true;
            }
        }
        long count = loss.count.incrementAndGet();
        REPORTING.set(Boolean.TRUE);
        try {
            if (first) {
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

    private static void deliver(Loss loss) {
        Consumer<? super Loss> current = listener;
        if (current != null) {
            current.accept(loss);
        } else {
            System.err.print(loss.report());
            System.err.flush();
        }
    }

    private static List<StackWalker.StackFrame> creationStack() {
        return WALKER.walk(frames -> frames
                .dropWhile(ContextLossDetector::isOwnFrame)
                .limit(CREATION_FRAMES)
                .collect(Collectors.toList()));
    }

    /** Frames of this class and its nested classes: the detector's own, never part of a site. */
    private static boolean isOwnFrame(StackWalker.StackFrame frame) {
        Class<?> type = frame.getDeclaringClass();
        return type == ContextLossDetector.class || type == WatchedRunnable.class || type == WatchedCallable.class
                || type == GuardedExecutor.class;
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

    /** Identifies a site: the storage read (or none, for watched work) and its frames. */
    static final class SiteKey {
        private final int storage;
        private final String[] classes;
        private final int[] indexes;
        private final int hash;

        SiteKey(AsyncLocalStorage<?> storage, List<StackWalker.StackFrame> frames, StackWalker.StackFrame boundary) {
            int n = frames.size() + (boundary == null ? 0 : 1);
            this.storage = storage == null ? 0 : System.identityHashCode(storage);
            this.classes = new String[n];
            this.indexes = new int[n];
            int h = this.storage;
            for (int i = 0; i < n; i++) {
                StackWalker.StackFrame frame = i < frames.size() ? frames.get(i) : boundary;
                classes[i] = frame.getDeclaringClass().getName();
                indexes[i] = frame.getByteCodeIndex();
                h = 31 * (31 * h + classes[i].hashCode()) + indexes[i];
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof SiteKey)) {
                return false;
            }
            SiteKey that = (SiteKey) other;
            return hash == that.hash && storage == that.storage && Arrays.equals(indexes, that.indexes)
                    && Arrays.equals(classes, that.classes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static List<StackTraceElement> toElements(List<StackWalker.StackFrame> frames) {
        List<StackTraceElement> elements = new ArrayList<>(frames.size());
        for (StackWalker.StackFrame frame : frames) {
            elements.add(frame.toStackTraceElement());
        }
        return Collections.unmodifiableList(elements);
    }

    private static String describe(AsyncLocalStorage<?> storage) {
        return storage.name().isEmpty()
                ? "AsyncLocalStorage@" + Integer.toHexString(System.identityHashCode(storage))
                : storage.name();
    }

    // ---------------------------------------------------------------- the report

    /**
     * One site where a context was lost, with how often it happened. Sites are immutable except
     * for the count.
     */
    public static final class Loss {
        /** What was lost where. */
        public enum Kind {
            /** A task tagged with {@code watch} or {@code guard} ran without its context. */
            WATCHED_WORK,
            /** A storage declared with {@code expectStore} was read without a store. */
            EXPECTED_STORE,
            /**
             * With the agent: a thread started inside a context let go of it, because it began to
             * wait for work from elsewhere (a {@code BlockingQueue} take or poll, a
             * {@code Selector}); the site is that wait. Expected for a worker thread a library
             * starts lazily; a loss if the thread was started for one piece of work that waits
             * for its own input there (see docs/agent.md, "New threads").
             */
            INHERITED_CONTEXT_RELEASED,
            /**
             * With the agent: a thread still in the context it inherited from its starter ran
             * work captured in another context; the site is where that work ran. A sign that a
             * long-lived thread keeps the request that started it (see docs/agent.md, "New
             * threads"). Checked only when the detector is on at startup
             * ({@code -Dasynclocal.detectLoss=true}) or in strict mode.
             */
            INHERITED_CONTEXT_ON_WORKER
        }

        final long sequence;
        private final Kind kind;
        private final String storage;
        private final List<StackTraceElement> site;
        private final List<StackTraceElement> below;
        private final String threadName;
        private final String context;
        final AtomicLong count = new AtomicLong();
        private volatile String siteText;

        Loss(long sequence, Kind kind, String storage, List<StackTraceElement> site, List<StackTraceElement> below,
                String threadName, String context) {
            this.sequence = sequence;
            this.kind = kind;
            this.storage = storage;
            this.site = site;
            this.below = below;
            this.threadName = threadName;
            this.context = context;
        }

        /**
         * What kind of loss this is.
         *
         * @return the kind
         */
        public Kind kind() {
            return kind;
        }

        /**
         * The name of the storage read without a store ({@link Kind#EXPECTED_STORE}), or
         * {@code null}. An unnamed storage shows as {@code AsyncLocalStorage@<hash>}.
         *
         * @return the storage's name, or {@code null}
         */
        public String storageName() {
            return storage;
        }

        /**
         * The stack that identifies the site, innermost frame first: where the work was created
         * ({@link Kind#WATCHED_WORK}: the caller of {@code watch}, or of the guarded executor's
         * {@code execute}), or where the store was read, down to the work that read it
         * ({@link Kind#EXPECTED_STORE}: the last frame is the work's entry point).
         *
         * @return the frames, an unmodifiable list
         */
        public List<StackTraceElement> site() {
            return site;
        }

        /**
         * The boundary: the frame that ran the work without its context (for example
         * {@code ThreadPoolExecutor.runWorker}), or {@code null} when there is none to show (a
         * read in a thread's own code, such as {@code main}).
         *
         * @return the boundary frame, or {@code null}
         */
        public StackTraceElement boundary() {
            return below.isEmpty() ? null : below.get(0);
        }

        /**
         * The name of the thread where the loss was first seen.
         *
         * @return the thread's name
         */
        public String threadName() {
            return threadName;
        }

        /**
         * How many times a context was lost at this site so far.
         *
         * @return the count, at least 1
         */
        public long count() {
            return count.get();
        }

        /**
         * The report printed for this site: what was lost, the site's stack, the boundary and
         * what to do about it.
         *
         * @return the report, several lines, ending with a line break
         */
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

        /**
         * The first line of the report and the count.
         *
         * @return a short description
         */
        @Override
        public String toString() {
            String report = report();
            return report.substring(0, report.indexOf('\n')) + " [" + count() + "x]";
        }
    }

    // ---------------------------------------------------------------- tagged work

    /** What a tagged task remembers of where it was created. */
    abstract static class Watched {
        final Frame frame;
        final List<StackWalker.StackFrame> creation;

        Watched(Frame frame, List<StackWalker.StackFrame> creation) {
            this.frame = frame;
            this.creation = creation;
        }
    }

    private static final class WatchedRunnable extends Watched implements Runnable {
        private final Runnable task;

        WatchedRunnable(Runnable task, Frame frame, List<StackWalker.StackFrame> creation) {
            super(frame, creation);
            this.task = task;
        }

        @Override
        public void run() {
            check(this);
            task.run();
        }

        @Override
        public String toString() {
            return task.toString();
        }
    }

    private static final class WatchedCallable<V> extends Watched implements Callable<V> {
        private final Callable<V> task;

        WatchedCallable(Callable<V> task, Frame frame, List<StackWalker.StackFrame> creation) {
            super(frame, creation);
            this.task = task;
        }

        @Override
        public V call() throws Exception {
            check(this);
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
