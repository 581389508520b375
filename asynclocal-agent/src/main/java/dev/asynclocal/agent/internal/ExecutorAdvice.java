package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import net.bytebuddy.asm.Advice;

/**
 * Advice for {@code ThreadPoolExecutor}, {@code ScheduledThreadPoolExecutor} and application
 * subclasses of {@code ThreadPoolExecutor}; the logic is in {@link ExecutorSupport}. ByteBuddy
 * copies these method bodies into the JDK's methods, so they stay one call long.
 */
final class ExecutorAdvice {
    private ExecutorAdvice() {
    }

    /** {@code ThreadPoolExecutor.execute(Runnable)}. */
    static final class Execute {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable command) {
            command = ExecutorSupport.execute(command);
        }
    }

    /**
     * {@code ThreadPoolExecutor.reject(Runnable)}: the handler sees the user's task, and the
     * submitting thread's context is put back when the handler returns (a handler that runs the
     * task itself, as {@code CallerRunsPolicy} does, must not leave the task's context behind).
     */
    static final class Reject {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Runnable command) {
            command = ExecutorSupport.rejected(command);
            return ExecutorSupport.callerFrame();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object callerFrame) {
            ExecutorSupport.restoreCaller(callerFrame);
        }
    }

    /** {@code ThreadPoolExecutor.remove(Runnable)}. */
    static final class Remove {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This ThreadPoolExecutor self, @Advice.Argument(0) Runnable task,
                @Advice.Return(readOnly = false) boolean removed) {
            removed = ExecutorSupport.removed(self, task, removed);
        }
    }

    /** {@code ThreadPoolExecutor.purge()}. */
    static final class Purge {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This ThreadPoolExecutor self) {
            ExecutorSupport.purged(self);
        }
    }

    /** {@code ThreadPoolExecutor.shutdownNow()}. */
    static final class ShutdownNow {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return(readOnly = false) List<Runnable> drained) {
            drained = ExecutorSupport.drained(drained);
        }
    }

    /** {@code ThreadPoolExecutor.addWorker(Runnable, boolean)}: the worker starts with no context. */
    static final class AddWorker {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object[] enter() {
            return ExecutorSupport.startingWorker();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object[] state) {
            if (state != null) {
                ExecutorSupport.workerStarted(state);
            }
        }
    }

    /** {@code beforeExecute(Thread, Runnable)} of an application subclass. */
    static final class BeforeExecute {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 1, readOnly = false) Runnable task) {
            task = ExecutorSupport.unwrap(task);
        }
    }

    /** {@code afterExecute(Runnable, Throwable)} of an application subclass. */
    static final class AfterExecute {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = ExecutorSupport.unwrap(task);
        }
    }

    /** {@code ScheduledThreadPoolExecutor.execute/submit(Runnable[, T])}. */
    static final class ScheduledExecute {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ScheduledThreadPoolExecutor self,
                @Advice.Argument(value = 0, readOnly = false) Runnable command) {
            command = ExecutorSupport.scheduled(self, command, Engine.EXECUTOR, Engine.FINISH_AFTER_RUN);
        }
    }

    /** {@code ScheduledThreadPoolExecutor.submit(Callable)}. */
    static final class ScheduledSubmitCallable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ScheduledThreadPoolExecutor self,
                @Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = ExecutorSupport.scheduledCallable(self, task, Engine.EXECUTOR);
        }
    }

    /** {@code ScheduledThreadPoolExecutor.schedule(Runnable, long, TimeUnit)}. */
    static final class Schedule {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ScheduledThreadPoolExecutor self,
                @Advice.Argument(value = 0, readOnly = false) Runnable command) {
            command = ExecutorSupport.scheduled(self, command, Engine.SCHEDULED_TASK, Engine.FINISH_AFTER_RUN);
        }
    }

    /** {@code ScheduledThreadPoolExecutor.schedule(Callable, long, TimeUnit)}. */
    static final class ScheduleCallable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ScheduledThreadPoolExecutor self,
                @Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = ExecutorSupport.scheduledCallable(self, task, Engine.SCHEDULED_TASK);
        }
    }

    /** {@code scheduleAtFixedRate}/{@code scheduleWithFixedDelay}: every run in the same context. */
    static final class SchedulePeriodic {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ScheduledThreadPoolExecutor self,
                @Advice.Argument(value = 0, readOnly = false) Runnable command) {
            command = ExecutorSupport.scheduled(self, command, Engine.SCHEDULED_TASK, Engine.FINISH_ON_FAILURE);
        }
    }
}
