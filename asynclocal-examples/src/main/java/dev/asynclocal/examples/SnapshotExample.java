package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link AsyncLocalStorage#snapshot()}: capture the whole context where work is registered, run
 * code in it later where the work is done.
 */
public final class SnapshotExample {
    private SnapshotExample() {
    }

    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void log(String msg) {
        String user = USER.getStore();
        System.out.println((user != null ? user : "-") + ": " + msg);
    }

    public static void main(String[] args) throws InterruptedException {
        basics();
        eventBus();
    }

    static void basics() {
        // snippet:start snapshot-basics
        Snapshot aliceContext = USER.run("alice", () -> AsyncLocalStorage.snapshot());

        USER.run("bob", () -> {
            log("before");                                          // bob: before
            aliceContext.run(() -> log("inside the snapshot"));     // alice: inside the snapshot
            log("after");                                           // bob: after
            String seen = aliceContext.run(() -> USER.getStore());  // a result comes back, too
            log("the snapshot saw " + seen);                        // bob: the snapshot saw alice
        });
        // snippet:end snapshot-basics
    }

    // snippet:start snapshot-event-bus
    /** A tiny event bus: listeners run on the bus's own thread, which knows nothing of users. */
    static final class EventBus {
        private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
        private final ExecutorService thread = Executors.newSingleThreadExecutor();

        void subscribe(Consumer<String> listener) {
            // Capture the subscriber's context now; run every delivery in it later.
            Snapshot context = AsyncLocalStorage.snapshot();
            listeners.add(event -> context.run(() -> listener.accept(event)));
        }

        void publish(String event) {
            thread.execute(() -> listeners.forEach(listener -> listener.accept(event)));
        }

        void close() throws InterruptedException {
            thread.shutdown();
            thread.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static void eventBus() throws InterruptedException {
        EventBus bus = new EventBus();
        USER.run("alice", () -> bus.subscribe(event -> log("got " + event)));
        USER.run("bob", () -> bus.subscribe(event -> log("got " + event)));

        bus.publish("tick");   // published outside any user's context
        bus.publish("tock");
        bus.close();
    }
    // Prints:
    //   alice: got tick
    //   bob: got tick
    //   alice: got tock
    //   bob: got tock
    // snippet:end snapshot-event-bus
}
