package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.util.TimerTask;

/**
 * What the agent adds to {@code java.util.Timer} and {@code TimerTask}.
 *
 * <p>A {@code TimerTask} is the user's object, scheduled, cancelled and queried as itself, so its
 * capture goes into a side table: {@code Timer}'s private {@code sched} (which every
 * {@code schedule*} method calls) captures; the timer thread's loop calls {@link #run} in place of
 * {@code task.run()}, which runs the task in its capture (every run of a periodic task);
 * {@code TimerTask.cancel()} ends it. The timer's own thread is started by the {@code Timer}
 * constructor and is never given a context (see {@link ThreadSupport}).
 */
public final class TimerSupport {
    private static final WeakIdentityMap<TimerTask, Scheduled> PENDING = new WeakIdentityMap<>();

    private TimerSupport() {
    }

    /**
     * {@code Timer.sched(task, time, period)} is starting.
     *
     * @param task the task
     * @param period {@code 0} for a one-shot task
     * @param type the resource type
     * @return the entry put in the side table, or {@code null}
     */
    public static Object scheduling(TimerTask task, long period, String type) {
        if (task == null || !Propagation.capturing() || PENDING.get(task) != null) {
            return null; // an already scheduled task: sched will throw
        }
        Scheduled entry = new Scheduled(Engine.capture(type, Engine.FINISH_EXTERNALLY), period != 0);
        if (PENDING.putIfAbsent(task, entry) != null) {
            Engine.finish(entry.capture);
            return null;
        }
        return entry;
    }

    /**
     * {@code sched} threw after {@link #scheduling} put {@code entry}: the task will never run.
     *
     * @param task the task
     * @param entry what {@code scheduling} returned
     */
    public static void schedulingFailed(TimerTask task, Object entry) {
        if (PENDING.get(task) == entry) {
            PENDING.remove(task);
            Engine.finish(((Scheduled) entry).capture);
        }
    }

    /**
     * Runs {@code task} for the timer thread, in the context captured when it was scheduled.
     *
     * @param task the task due now
     */
    public static void run(TimerTask task) {
        Scheduled entry = PENDING.isEmpty() ? null : PENDING.get(task);
        if (entry == null) {
            task.run();
            return;
        }
        if (!entry.periodic) {
            PENDING.remove(task);
        }
        Object capture = entry.capture;
        Object saved = Engine.enterCapture(capture);
        boolean threw = true;
        try {
            task.run();
            threw = false;
        } finally {
            Engine.exitCapture(capture, saved);
            if (threw || !entry.periodic) {
                // A throwing task kills the timer: no run will follow.
                PENDING.remove(task);
                Engine.finish(capture);
            }
        }
    }

    /**
     * {@code TimerTask.cancel()} returned: no further run, the resource ends.
     *
     * @param task the task
     */
    public static void cancelled(TimerTask task) {
        Scheduled entry = PENDING.remove(task);
        if (entry != null) {
            Engine.finish(entry.capture);
        }
    }

    /** A scheduled task's capture, and whether it repeats. */
    private static final class Scheduled {
        final Object capture;
        final boolean periodic;

        Scheduled(Object capture, boolean periodic) {
            this.capture = capture;
            this.periodic = periodic;
        }
    }
}
