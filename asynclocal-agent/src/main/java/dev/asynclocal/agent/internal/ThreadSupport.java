package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.util.Iterator;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.stream.Stream;

/**
 * What the agent adds to {@code Thread.start}, to the code a new thread runs first, to thread
 * factories and to the places where a thread waits for work. The rule it implements is in
 * {@code docs/agent.md}, "New threads":
 * <ul>
 *   <li><b>one thread per piece of work: inherits.</b> Virtual threads, and threads started into
 *       a thread-per-task executor or a structured task scope, run in their starter's context
 *       until their {@code run()} returns;</li>
 *   <li><b>a plain {@code new Thread(task)}: inherits provisionally.</b> It runs in its starter's
 *       context until it waits for work from elsewhere ({@link #waitingForWork}): taking from a
 *       {@code BlockingQueue}, selecting on a {@code Selector}, or awaiting a {@code Condition} in
 *       code of its own rather than in one of the JDK's synchronizers
 *       ({@link #waitingOnCondition}). From there on it is a worker, and it runs in the empty
 *       context, so that the work it serves never sees the request that happened to start it;</li>
 *   <li><b>threads made to serve many pieces of work: inherit nothing.</b> Subclasses of
 *       {@code Thread} (a library's worker or event-loop thread, the JDK's service threads),
 *       threads made by a {@code ThreadFactory}, pool and fork/join workers.</li>
 * </ul>
 * The agent option {@code threads=inherit} restores the older rule, under which every thread but
 * pool workers and the JDK's own inherits for good.
 *
 * <p>{@code start} captures the starter's context into a side table keyed by the thread (a
 * {@code Thread} cannot be given a field once loaded, and in Java 21+ its task is final). The new
 * thread takes the capture out at the start of its {@code run()} ({@code Thread.run()} itself, the
 * {@code run()} of an application subclass, or a virtual thread's private {@code run(Runnable)})
 * and runs in it until {@code run()} returns.
 */
public final class ThreadSupport {
    private static final WeakIdentityMap<Thread, Start> PENDING = new WeakIdentityMap<>();
    /** Threads a {@code ThreadFactory} made (weakly held: an entry goes with its thread). */
    private static final WeakIdentityMap<Thread, Boolean> FACTORY_MADE = new WeakIdentityMap<>();
    /**
     * Threads running in the context they inherited provisionally, with that context's frame.
     * Only a shortcut for {@link #waitingOnCondition}, which must not walk the stack of every
     * thread that awaits a {@code Condition} in a context: the engine alone decides what is
     * released.
     */
    private static final WeakIdentityMap<Thread, Object> INHERITING = new WeakIdentityMap<>();
    /** Walks to the code that called {@code Condition.await}; class names only, so no permission is needed. */
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Set once, from the agent's options, before anything is instrumented. */
    private static volatile boolean inheritAll;

    /** Virtual threads: one per piece of work by design; never pooled. */
    private static final ClassValue<Boolean> VIRTUAL = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals("java.lang.BaseVirtualThread")
                        || c.getName().equals("java.lang.VirtualThread")) {
                    return true;
                }
            }
            return false;
        }
    };

    /** Containers that start one thread per task: thread-per-task executors, structured task scopes. */
    private static final ClassValue<Boolean> PER_TASK_CONTAINER = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            return name.equals("java.util.concurrent.ThreadPerTaskExecutor")
                    || name.equals("jdk.internal.misc.ThreadFlock$ThreadContainerImpl");
        }
    };

    /** Under {@code threads=inherit}: the threads that inherit (the rule before the isolation rule). */
    private static final ClassValue<Boolean> INHERITS_UNDER_OLD_RULE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (type == Thread.class || VIRTUAL.get(type)) {
                return true;
            }
            if (ForkJoinWorkerThread.class.isAssignableFrom(type)) {
                return false;
            }
            return ClassOrigin.isApplicationLoaded(type);
        }
    };

    private ThreadSupport() {
    }

    /**
     * Applies the agent option {@code threads=...}.
     *
     * @param inherit {@code true} for {@code threads=inherit}
     */
    static void inheritAll(boolean inherit) {
        inheritAll = inherit;
    }

    /**
     * A {@code start} method of {@code thread} is starting.
     *
     * @param thread the thread being started
     * @param container the {@code ThreadContainer} of {@code start(ThreadContainer)} (Java 21+),
     *     {@code null} for {@code start()}
     * @param resourceType the resource type of the capture
     * @return the capture put in the side table, or {@code null}
     */
    public static Object starting(Thread thread, Object container, String resourceType) {
        if (!Propagation.capturing() || PENDING.get(thread) != null) {
            return null;
        }
        // The mark stays (weakly) after the start: on Java 21+ start() calls start(ThreadContainer),
        // and both ask.
        boolean madeByFactory = !FACTORY_MADE.isEmpty() && FACTORY_MADE.get(thread) != null;
        Class<?> type = thread.getClass();
        boolean provisional = false;
        if (VIRTUAL.get(type) || (container != null && PER_TASK_CONTAINER.get(container.getClass()))) {
            // One thread per piece of work: inherits for good.
        } else if (inheritAll) {
            if (!INHERITS_UNDER_OLD_RULE.get(type)) {
                return null;
            }
        } else if (type == Thread.class && !madeByFactory) {
            provisional = true;
        } else {
            return null;
        }
        // Finished by runEnded, or by startFailed if the thread never runs.
        Object capture = Engine.capture(resourceType, Engine.FINISH_EXTERNALLY);
        if (PENDING.putIfAbsent(thread, new Start(capture, provisional)) != null) {
            Engine.finish(capture);
            return null;
        }
        return capture;
    }

    /**
     * The {@code start} method that put {@code capture} threw (the thread was started already, or
     * could not be created): the capture will never run.
     *
     * @param thread the thread
     * @param capture what {@link #starting} returned
     */
    public static void startFailed(Thread thread, Object capture) {
        Start start = PENDING.get(thread);
        if (start != null && start.capture == capture) {
            PENDING.remove(thread);
            Engine.finish(capture);
        }
    }

    /**
     * A {@code run()} of {@code thread} is starting: if this is that thread running and its start
     * left a capture, enters it and returns it. Pairs with {@link #runEnded}.
     *
     * @param thread the thread whose {@code run} is called
     * @return the entered start, or {@code null}
     */
    public static Start enterRun(Thread thread) {
        if (PENDING.isEmpty() || thread != Thread.currentThread()) {
            return null;
        }
        Start start = PENDING.remove(thread);
        if (start != null) {
            start.saved = Engine.enterCapture(start.capture);
            if (start.provisional) {
                Engine.inherit();
                if (!Engine.inEmptyContext()) {
                    INHERITING.putIfAbsent(thread, Engine.frame());
                }
            }
        }
        return start;
    }

    /**
     * The {@code run()} that {@link #enterRun} entered returns (or throws): the thread goes back
     * to its own context and the capture is finished.
     *
     * @param start what {@link #enterRun} returned
     */
    public static void runEnded(Start start) {
        if (start.provisional) {
            Engine.forgetInherited();
            if (!INHERITING.isEmpty()) {
                INHERITING.remove(Thread.currentThread());
            }
        }
        Engine.exitCapture(start.capture, start.saved);
        Engine.finish(start.capture);
    }

    /**
     * A {@code ThreadFactory} returned {@code thread}: made to serve a pool or a loop, it inherits
     * nothing when started (unless into a per-task container, or it is virtual).
     *
     * @param thread what {@code newThread} returned, possibly {@code null}
     */
    public static void madeByFactory(Thread thread) {
        // A pool starting its own worker (capture suppressed) never captures anyway: no mark, no allocation.
        if (thread != null && thread.getState() == Thread.State.NEW && !VIRTUAL.get(thread.getClass())
                && !Engine.captureSuppressed(Engine.threadState())) {
            FACTORY_MADE.putIfAbsent(thread, Boolean.TRUE);
        }
    }

    /**
     * The calling thread is about to wait for work from elsewhere (a {@code BlockingQueue} take
     * or timed poll, a {@code Selector} select): if it still runs in the context it inherited
     * provisionally, it lets go of it. One thread-local read outside any context.
     */
    public static void waitingForWork() {
        if (Engine.releaseInherited() && !INHERITING.isEmpty()) {
            INHERITING.remove(Thread.currentThread());
        }
    }

    /**
     * The calling thread is about to await a {@code Condition} of the JDK's
     * ({@code AbstractQueuedSynchronizer.ConditionObject}). A {@code Condition} is how code that
     * is not the JDK's own waits for work from elsewhere when it does not use a queue (Kafka's
     * consumer waits for fetched records that way), so a thread still in its inherited context
     * lets go of it, as on a queue. The JDK's own synchronizers also await {@code Condition}s,
     * for waits that belong to one piece of work: a bounded queue's {@code put} when it is full,
     * {@code CyclicBarrier.await}, {@code ThreadPoolExecutor.awaitTermination}, and on newer JDKs
     * {@code Process.waitFor}. Those keep the context, as the JDK's other ordinary waits do, so
     * the caller of {@code await} decides: the JDK's code keeps, anyone else's lets go (a queue's
     * take has let go already, at its own entry).
     *
     * <p>Costs one size read, unless some thread still runs in a context it inherited; then, when
     * the calling thread runs in a context, one map read; and only if it is that thread, in that
     * context, a walk of a few stack frames.
     */
    public static void waitingOnCondition() {
        if (INHERITING.isEmpty() || Engine.inEmptyContext()) {
            return;
        }
        Thread current = Thread.currentThread();
        Object inherited = INHERITING.get(current);
        if (inherited == null || inherited != Engine.frame() || ClassOrigin.isJdk(conditionCaller())) {
            return;
        }
        if (Engine.releaseInherited()) {
            INHERITING.remove(current);
        }
    }

    /**
     * Runs the stack walk once before anything is instrumented, so that what it needs is loaded
     * and linked: loading a class from inside an instrumented {@code await} could wait on a lock
     * that the thread loading it holds.
     */
    static void warmUp() {
        conditionCaller();
    }

    /** The class that called the {@code Condition}'s await method, by name. */
    private static String conditionCaller() {
        return WALKER.walk(ThreadSupport::firstOutsideTheAgentAndTheLocks);
    }

    private static String firstOutsideTheAgentAndTheLocks(Stream<StackWalker.StackFrame> frames) {
        Iterator<StackWalker.StackFrame> it = frames.iterator();
        while (it.hasNext()) {
            String name = it.next().getClassName();
            // The advice runs inside the await method itself (a class of the JDK's locks package),
            // called by the code we look for.
            if (!name.startsWith("java.util.concurrent.locks.") && !ClassOrigin.isAgentInternal(name)) {
                return name;
            }
        }
        return "java.lang.Thread"; // nothing else on the stack: no caller to release for
    }

    /**
     * The number of started threads whose capture was not taken yet; for tests and diagnostics.
     *
     * @return the number of entries in the side table
     */
    public static int pendingCount() {
        return PENDING.size();
    }

    /** What a start left for the thread's {@code run()}; also where run keeps the saved context. */
    public static final class Start {
        final Object capture;
        final boolean provisional;
        Object saved;

        Start(Object capture, boolean provisional) {
            this.capture = capture;
            this.provisional = provisional;
        }
    }
}
