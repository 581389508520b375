package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Capture;
import dev.asynclocal.internal.ThreadState;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * What the agent adds to {@code Thread.start} and to the code a new thread runs first.
 *
 * <p>{@code start} captures the starter's context into a side table keyed by the thread (a
 * {@code Thread} cannot be given a field once loaded, and in Java 21+ its task is final). The new
 * thread takes the capture out at the start of its {@code run()}: {@code Thread.run()} itself, the
 * {@code run()} of any application subclass of {@code Thread} (instrumented when loaded), or a
 * virtual thread's private {@code run(Runnable)}; it runs there in the captured context, and it
 * ends when {@code run()} returns. A thread therefore never gets the context for anything but its
 * {@code run()}.
 *
 * <p>Not captured: threads a pool starts for itself ({@code ThreadPoolExecutor.addWorker} raises
 * {@link ThreadState#captureSuppressed}; every {@code ForkJoinWorkerThread}), and threads of the
 * JDK's own {@code Thread} subclasses (the timer thread, cleaner and reference-handling threads,
 * HTTP client selectors, carrier threads): they live for long and run no task of the starter's.
 */
public final class ThreadSupport {
    private static final WeakIdentityMap<Thread, Capture> PENDING = new WeakIdentityMap<>();

    /** Whether threads of a class inherit their starter's context for their {@code run()}. */
    private static final ClassValue<Boolean> PROPAGATES = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (type == Thread.class || type.getName().equals("java.lang.VirtualThread")) {
                return true;
            }
            if (ForkJoinWorkerThread.class.isAssignableFrom(type)) {
                return false;
            }
            ClassLoader loader = type.getClassLoader();
            return loader != null && loader != ClassLoader.getPlatformClassLoader();
        }
    };

    private ThreadSupport() {
    }

    /**
     * A {@code start} method of {@code thread} is starting.
     *
     * @param thread the thread being started
     * @return the capture put in the side table, or {@code null}
     */
    public static Capture starting(Thread thread) {
        if (!Propagation.capturing() || !PROPAGATES.get(thread.getClass())
                || PENDING.get(thread) != null) {
            return null;
        }
        Capture capture = Capture.capture(Capture.THREAD, Capture.FINISH_EXTERNALLY);
        if (PENDING.putIfAbsent(thread, capture) != null) {
            capture.finish();
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
    public static void startFailed(Thread thread, Capture capture) {
        if (PENDING.get(thread) == capture) {
            PENDING.remove(thread);
            capture.finish();
        }
    }

    /**
     * A {@code run()} of {@code thread} is starting: the capture its start left, if this is that
     * thread running, taken out of the side table.
     *
     * @param thread the thread whose {@code run} is called
     * @return the capture, or {@code null}
     */
    public static Capture takeForRun(Thread thread) {
        if (PENDING.isEmpty() || thread != Thread.currentThread()) {
            return null;
        }
        return PENDING.remove(thread);
    }

    /**
     * The number of started threads whose capture was not taken yet; for tests and diagnostics.
     *
     * @return the number of entries in the side table
     */
    public static int pendingCount() {
        return PENDING.size();
    }
}
