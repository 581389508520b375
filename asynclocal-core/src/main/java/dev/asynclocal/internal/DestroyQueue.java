package dev.asynclocal.internal;

import java.util.concurrent.LinkedBlockingQueue;

/**
 * Delivers {@code destroy} events after the fact, on one daemon thread, as Node does from its
 * destroy queue: never inside the code that called {@code emitDestroy()} or dropped the last
 * reference. The thread starts on first use and runs every callback in the empty context.
 *
 * <p>It is a plain thread and queue rather than an executor on purpose: an executor would itself
 * be an async operation (traced by hooks, instrumented by the agent), and each destroy would then
 * create another resource to destroy.
 */
final class DestroyQueue {
    private static final LinkedBlockingQueue<Entry> QUEUE = new LinkedBlockingQueue<>();
    private static volatile Thread worker;

    private DestroyQueue() {
    }

    private static final class Entry {
        final long asyncId;
        final String type;

        Entry(long asyncId, String type) {
            this.asyncId = asyncId;
            this.type = type;
        }
    }

    static void add(long asyncId, String type) {
        QUEUE.add(new Entry(asyncId, type));
        if (worker == null) {
            startWorker();
        }
    }

    private static synchronized void startWorker() {
        if (worker != null) {
            return;
        }
        Thread thread = new Thread(DestroyQueue::deliverForever, "asynclocal-destroy");
        thread.setDaemon(true);
        worker = thread;
        // Outside any context: with the agent, the thread would otherwise keep the context of the
        // code whose destroy happened to start it.
        ThreadState.uncaptured(() -> {
            thread.start();
            return null;
        });
    }

    private static void deliverForever() {
        Object[] state = ThreadState.state();
        while (true) {
            Entry entry;
            try {
                entry = QUEUE.take();
            } catch (InterruptedException e) {
                // Only the JVM's shutdown would interrupt this thread; keep delivering until then.
                continue;
            }
            ThreadState.enter(Frame.EMPTY);
            Hooks.emitDestroyNow(state, entry.asyncId, entry.type);
        }
    }
}
