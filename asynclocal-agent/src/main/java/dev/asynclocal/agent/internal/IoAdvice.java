package dev.asynclocal.agent.internal;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Advice for the JDK's asynchronous channels and {@code SubmissionPublisher}; see {@link IoSupport}. */
final class IoAdvice {
    private IoAdvice() {
    }

    /** A public operation of an asynchronous channel that takes a {@code CompletionHandler}. */
    static final class BindHandler {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] arguments,
                @Resource.Type String type) {
            arguments = IoSupport.bindHandlers(arguments, type);
        }
    }

    /** The constructor of {@code SubmissionPublisher.BufferedSubscription}. */
    static final class Subscribed {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object subscription, @Resource.Type String type) {
            IoSupport.subscribed(subscription, type);
        }
    }

    /** {@code SubmissionPublisher.BufferedSubscription.consume()}, which delivers the signals. */
    static final class Consume {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object[] enter(@Advice.This Object subscription) {
            return IoSupport.delivering(subscription);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object[] token) {
            IoSupport.delivered(token);
        }
    }
}
