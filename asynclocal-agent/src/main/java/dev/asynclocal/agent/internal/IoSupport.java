package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
import java.nio.channels.CompletionHandler;

/**
 * What the agent adds to the JDK's asynchronous channels and to {@code SubmissionPublisher}.
 *
 * <p>Asynchronous channels ({@code AsynchronousSocketChannel}, {@code AsynchronousServerSocketChannel},
 * {@code AsynchronousFileChannel}): each operation given a {@code CompletionHandler} ({@code read},
 * {@code write}, {@code connect}, {@code accept}, {@code lock}) binds the handler to the context of
 * the call, as Node runs an I/O callback in the context of the call that started the operation.
 * The channel group's own event-loop tasks are started with capture suppressed (they belong to
 * no request; see {@code Installer}).
 *
 * <p>{@code SubmissionPublisher}: every signal a subscriber receives ({@code onSubscribe},
 * {@code onNext}, {@code onError}, {@code onComplete}) runs in the context current where it
 * subscribed, whoever submitted the item. A consumer task drains the items of many
 * {@code submit} calls at once, so the submitter's context could only be that of whichever
 * submit happened to start it; the subscriber's is the one context that belongs to every signal.
 */
public final class IoSupport {
    private static final WeakIdentityMap<Object, Object> SUBSCRIPTIONS = new WeakIdentityMap<>();

    private IoSupport() {
    }

    /**
     * Binds every {@code CompletionHandler} among an I/O operation's arguments to the calling
     * thread's context.
     *
     * @param arguments the operation's arguments
     * @param type the resource type the handlers become
     * @return the same array, changed in place where a handler was bound
     */
    public static Object[] bindHandlers(Object[] arguments, String type) {
        for (int i = 0; i < arguments.length; i++) {
            Object argument = arguments[i];
            if (argument instanceof CompletionHandler && !Propagation.passesThrough(argument)
                    && Propagation.capturing()) {
                arguments[i] = Engine.completionHandler((CompletionHandler<?, ?>) argument, type);
            }
        }
        return arguments;
    }

    /**
     * A subscription of a {@code SubmissionPublisher} was made, on the subscribing thread.
     *
     * @param subscription the publisher's subscription object
     * @param type the resource type of the subscription's capture
     */
    public static void subscribed(Object subscription, String type) {
        Object capture = Propagation.captureOrNull(type);
        if (capture != null && SUBSCRIPTIONS.putIfAbsent(subscription, capture) != null) {
            Engine.finish(capture);
        }
    }

    /**
     * The subscription's consumer starts delivering signals: switches to the subscriber's context
     * (the empty one if it subscribed outside any).
     *
     * @param subscription the publisher's subscription object
     * @return what {@link #delivered} needs
     */
    public static Object[] delivering(Object subscription) {
        Object capture = SUBSCRIPTIONS.isEmpty() ? null : SUBSCRIPTIONS.get(subscription);
        if (capture != null) {
            return new Object[] {capture, Engine.enterCapture(capture)};
        }
        return new Object[] {null, Engine.enter(Engine.emptyFrame())};
    }

    /**
     * Pairs with {@link #delivering}.
     *
     * @param token what {@code delivering} returned; {@code null} if it failed, then nothing was changed
     */
    public static void delivered(Object[] token) {
        if (token == null) {
            return;
        }
        Object capture = token[0];
        if (capture != null) {
            Engine.exitCapture(capture, token[1]);
        } else {
            Engine.exit(token[1]);
        }
    }
}
