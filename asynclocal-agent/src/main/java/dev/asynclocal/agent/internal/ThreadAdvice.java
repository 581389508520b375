package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Capture;
import net.bytebuddy.asm.Advice;

/** Advice for {@code Thread}, {@code VirtualThread} and application subclasses of {@code Thread}. */
final class ThreadAdvice {
    private ThreadAdvice() {
    }

    /** Every {@code start} method of {@code Thread} and {@code VirtualThread}. */
    static final class Start {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Capture enter(@Advice.This Thread self) {
            return ThreadSupport.starting(self);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Thread self, @Advice.Enter Capture capture, @Advice.Thrown Throwable thrown) {
            if (capture != null && thrown != null) {
                ThreadSupport.startFailed(self, capture);
            }
        }
    }

    /**
     * {@code Thread.run()}, the {@code run()} of application subclasses and a virtual thread's
     * {@code run(Runnable)}: the new thread runs in its starter's context until run returns.
     */
    static final class Run {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Capture enter(@Advice.This Thread self, @Advice.Local("saved") Object saved) {
            Capture capture = ThreadSupport.takeForRun(self);
            if (capture != null) {
                saved = capture.enter();
            }
            return capture;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Capture capture, @Advice.Local("saved") Object saved) {
            if (capture != null) {
                capture.exit(saved);
                capture.finish();
            }
        }
    }
}
