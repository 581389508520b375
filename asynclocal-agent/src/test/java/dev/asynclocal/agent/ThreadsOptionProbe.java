package dev.asynclocal.agent;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Run in a child JVM with the agent, with or without {@code threads=inherit}: prints what a
 * {@code Thread} subclass and a plain thread that waits on a queue see when started in a context.
 */
public final class ThreadsOptionProbe {
    static final AsyncLocalStorage<String> STORE = new AsyncLocalStorage<>("probe");

    static final class Worker extends Thread {
        final AtomicReference<String> seen = new AtomicReference<>("not run");

        @Override
        public void run() {
            seen.set(STORE.getStore());
        }
    }

    private ThreadsOptionProbe() {
    }

    public static void main(String[] args) throws Exception {
        Worker worker = new Worker();
        STORE.run("subclass", worker::start);
        worker.join();
        System.out.println("subclass=" + worker.seen.get());

        BlockingQueue<String> input = new LinkedBlockingQueue<>();
        input.add("x");
        AtomicReference<String> afterTake = new AtomicReference<>("not run");
        Thread waiting = new Thread(() -> {
            try {
                input.take();
            } catch (InterruptedException e) {
                return;
            }
            afterTake.set(STORE.getStore());
        });
        STORE.run("plain", waiting::start);
        waiting.join();
        System.out.println("afterTake=" + afterTake.get());
    }
}
