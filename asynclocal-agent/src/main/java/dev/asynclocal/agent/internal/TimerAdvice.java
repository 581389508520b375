package dev.asynclocal.agent.internal;

import java.util.TimerTask;
import net.bytebuddy.asm.Advice;

/** Advice for {@code Timer} and {@code TimerTask}; the logic is in {@link TimerSupport}. */
final class TimerAdvice {
    private TimerAdvice() {
    }

    /** {@code Timer.sched(TimerTask, long, long)}, which every {@code schedule*} method calls. */
    static final class Sched {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(0) TimerTask task, @Advice.Argument(2) long period,
                @Resource.Type String type) {
            return TimerSupport.scheduling(task, period, type);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Argument(0) TimerTask task, @Advice.Enter Object entry, @Advice.Thrown Throwable thrown) {
            if (entry != null && thrown != null) {
                TimerSupport.schedulingFailed(task, entry);
            }
        }
    }

    /** {@code TimerTask.cancel()}. */
    static final class Cancel {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This TimerTask self) {
            TimerSupport.cancelled(self);
        }
    }
}
