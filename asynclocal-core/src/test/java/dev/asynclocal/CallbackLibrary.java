package dev.asynclocal;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Plays a third-party library that calls its listeners back on a thread of its own, the way a
 * client library delivers responses or a message broker delivers messages: it knows nothing of
 * asynclocal, so listeners run outside the context they were registered in.
 */
final class CallbackLibrary implements AutoCloseable {
    static final String THREAD_NAME = "callback-library-io";

    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final Thread thread = new Thread(this::loop, THREAD_NAME);

    CallbackLibrary() {
        thread.setDaemon(true);
        thread.start();
    }

    void onEvent(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Watched variant for tests: a Runnable listener. */
    void onEvent(Runnable listener) {
        listeners.add(event -> listener.run());
    }

    void fire(String event) {
        events.add(event);
    }

    private void loop() {
        try {
            while (true) {
                deliver(events.take());
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void deliver(String event) {
        for (Consumer<String> listener : listeners) {
            listener.accept(event);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(10_000);
    }
}
