package dev.asynclocal.agent.internal;

import net.bytebuddy.asm.Advice;

/** Advice for {@code Thread}, {@code VirtualThread}, application subclasses of {@code Thread} and thread factories. */
final class ThreadAdvice {
    private ThreadAdvice() {
    }

    /** {@code start()} of {@code Thread} and {@code VirtualThread}. */
    static final class Start {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Thread self, @Resource.Type String type) {
            return ThreadSupport.starting(self, null, type);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Thread self, @Advice.Enter Object capture, @Advice.Thrown Throwable thrown) {
            if (capture != null && thrown != null) {
                ThreadSupport.startFailed(self, capture);
            }
        }
    }

    /** {@code start(ThreadContainer)} of {@code Thread} and {@code VirtualThread} (Java 21+). */
    static final class StartInContainer {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Thread self, @Advice.Argument(0) Object container,
                @Resource.Type String type) {
            return ThreadSupport.starting(self, container, type);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Thread self, @Advice.Enter Object capture, @Advice.Thrown Throwable thrown) {
            if (capture != null && thrown != null) {
                ThreadSupport.startFailed(self, capture);
            }
        }
    }

    /**
     * {@code Thread.run()}, the {@code run()} of application subclasses and a virtual thread's
     * {@code run(Runnable)}: the new thread runs in what its start captured until run returns.
     */
    static final class Run {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static ThreadSupport.Start enter(@Advice.This Thread self) {
            return ThreadSupport.enterRun(self);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter ThreadSupport.Start start) {
            if (start != null) {
                ThreadSupport.runEnded(start);
            }
        }
    }

    /** {@code newThread(Runnable)} of a {@code ThreadFactory}: the thread it returns serves a pool or a loop. */
    static final class NewThread {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return Thread made) {
            ThreadSupport.madeByFactory(made);
        }
    }

    /**
     * {@code BlockingQueue.take}/timed {@code poll} (and the deque forms) and
     * {@code SelectorImpl.lockAndDoSelect}: the calling thread waits for work from elsewhere.
     */
    static final class WaitForWork {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            ThreadSupport.waitingForWork();
        }
    }

    /**
     * {@code await}, {@code awaitNanos}, {@code awaitUntil} and {@code awaitUninterruptibly} of the
     * JDK's {@code Condition}: a wait for work from elsewhere when the caller is not one of the
     * JDK's own synchronizers (see {@link ThreadSupport#waitingOnCondition}).
     */
    static final class WaitOnCondition {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            ThreadSupport.waitingOnCondition();
        }
    }
}
