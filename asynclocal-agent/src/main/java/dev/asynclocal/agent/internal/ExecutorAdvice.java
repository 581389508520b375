package dev.asynclocal.agent.internal;

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
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable command,
                @Resource.Type String type, @Resource.Ending int ending) {
            command = ExecutorSupport.execute(command, type, ending);
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

    /**
     * The {@code ScheduledThreadPoolExecutor} methods taking a {@code Runnable}: {@code execute},
     * {@code submit}, {@code schedule}, {@code scheduleAtFixedRate}, {@code scheduleWithFixedDelay}
     * (the table says which resource each one makes).
     */
    static final class ScheduledRunnable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ScheduledThreadPoolExecutor self,
                @Advice.Argument(value = 0, readOnly = false) Runnable command,
                @Resource.Type String type, @Resource.Ending int ending) {
            command = ExecutorSupport.scheduled(self, command, type, ending);
        }
    }

    /** {@code ScheduledThreadPoolExecutor.submit(Callable)} and {@code schedule(Callable, long, TimeUnit)}. */
    static final class ScheduledCallable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ScheduledThreadPoolExecutor self,
                @Advice.Argument(value = 0, readOnly = false) Callable<?> task,
                @Resource.Type String type, @Resource.Ending int ending) {
            task = ExecutorSupport.scheduledCallable(self, task, type, ending);
        }
    }
}
