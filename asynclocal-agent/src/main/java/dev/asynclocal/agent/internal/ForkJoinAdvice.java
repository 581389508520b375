package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.util.Collection;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import net.bytebuddy.asm.Advice;

/** Advice for {@code ForkJoinTask} and {@code ForkJoinPool}; the logic is in {@link ForkJoinSupport}. */
final class ForkJoinAdvice {
    private ForkJoinAdvice() {
    }

    /** {@code ForkJoinTask.fork()}. */
    static final class Fork {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ForkJoinTask<?> self, @Resource.Type String type) {
            ForkJoinSupport.forked(self, type);
        }
    }

    /**
     * {@code ForkJoinTask.doExec()}: every run of every task, on any thread. A task with a capture
     * runs in it; a task without one (created outside any context) runs in the worker's context,
     * and either way the worker's context is put back afterwards, so that an {@code enterWith} in
     * the task never reaches the next task on that worker.
     */
    static final class DoExec {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This ForkJoinTask<?> self, @Advice.Local("saved") Object saved,
                @Advice.Local("entered") boolean entered) {
            Object capture = ForkJoinSupport.take(self);
            saved = capture != null ? Engine.enterCapture(capture) : Engine.frame();
            entered = true;
            return capture;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object capture, @Advice.Local("saved") Object saved,
                @Advice.Local("entered") boolean entered) {
            if (capture != null) {
                Engine.exitCapture(capture, saved);
                Engine.finish(capture);
            } else if (entered) {
                Engine.exit(saved);
            }
        }
    }

    /** Pool methods taking a {@code ForkJoinTask}: execute, submit, invoke, externalSubmit, lazySubmit. */
    static final class SubmitTask {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ForkJoinPool self, @Advice.Argument(0) ForkJoinTask<?> task,
                @Resource.Type String type) {
            ForkJoinSupport.submitted(self, task, type);
        }
    }

    /** {@code execute(Runnable)}, {@code submit(Runnable[, T])}. */
    static final class SubmitRunnable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ForkJoinPool self, @Advice.Argument(value = 0, readOnly = false) Runnable task,
                @Resource.Type String type, @Resource.Ending int ending) {
            task = ForkJoinSupport.runnable(self, task, type, ending);
        }
    }

    /** {@code submit(Callable)}, {@code submitWithTimeout(Callable, ...)}, {@code schedule(Callable, ...)} (Java 25+). */
    static final class SubmitCallable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ForkJoinPool self, @Advice.Argument(value = 0, readOnly = false) Callable<?> task,
                @Resource.Type String type, @Resource.Ending int ending) {
            task = ForkJoinSupport.callable(self, task, type, ending);
        }
    }

    /** {@code invokeAll}, {@code invokeAny}, {@code invokeAllUninterruptibly}. */
    static final class InvokeCollection {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ForkJoinPool self,
                @Advice.Argument(value = 0, readOnly = false) Collection<? extends Callable<Object>> tasks,
                @Resource.Type String type, @Resource.Ending int ending) {
            tasks = ForkJoinSupport.callables(self, tasks, type, ending);
        }
    }

    /** {@code schedule(Runnable, long, TimeUnit)}, {@code scheduleAtFixedRate}, {@code scheduleWithFixedDelay} (Java 25+). */
    static final class ScheduledRunnable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ForkJoinPool self, @Advice.Argument(value = 0, readOnly = false) Runnable task,
                @Resource.Type String type, @Resource.Ending int ending) {
            task = ForkJoinSupport.scheduled(self, task, type, ending);
        }
    }
}
