package dev.asynclocal.grpc;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.CallableOp;
import dev.asynclocal.Snapshot;

/**
 * The empty asynclocal context, for running an incoming call in what came over the wire and
 * nothing else.
 *
 * <p>The core has no public way to name the empty context, so it is captured once on a thread of
 * our own: without the agent a new thread starts with no context, and with it a {@code Thread}
 * subclass inherits nothing ({@code docs/agent.md}, "New threads"). Under the agent's
 * {@code threads=inherit} opt-out the thread inherits the context of the code that first uses
 * this class: {@link ServerPropagationInterceptor#create}, normally at start-up, in no context. If the thread
 * cannot be started, incoming calls run on top of the serving thread's context instead, as the
 * HTTP filters do.
 */
final class EmptyContext {
    private static final Snapshot EMPTY = captureOnANewThread();

    private EmptyContext() {
    }

    /** Captures the empty context now, if not yet: call where no context is current, at start-up. */
    static void capture() {
        // the class initializer did it
    }

    static <R, X extends Throwable> R run(CallableOp<? extends R, X> fn) throws X {
        return EMPTY == null ? fn.call() : EMPTY.run(fn);
    }

    private static Snapshot captureOnANewThread() {
        Snapshot[] captured = new Snapshot[1];
        Thread thread = new Thread("asynclocal-grpc-empty-context") {
            @Override
            public void run() {
                captured[0] = AsyncLocalStorage.snapshot();
            }
        };
        thread.setDaemon(true);
        boolean interrupted = false;
        try {
            thread.start();
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (RuntimeException | OutOfMemoryError cannotStart) {
            Log.debug(() -> "cannot capture the empty context: incoming gRPC calls run on top of the"
                    + " serving thread's context", cannotStart);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return captured[0];
    }
}
