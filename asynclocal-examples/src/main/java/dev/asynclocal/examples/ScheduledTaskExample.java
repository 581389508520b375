package dev.asynclocal.examples;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AsyncExecutors#wrap(ScheduledExecutorService)}: delayed and periodic tasks run in the
 * context of the code that scheduled them, every run of a periodic task included.
 */
public final class ScheduledTaskExample {
    private ScheduledTaskExample() {
    }

    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void log(String msg) {
        String user = USER.getStore();
        System.out.println((user != null ? user : "-") + ": " + msg);
    }

    public static void main(String[] args) throws InterruptedException, ExecutionException {
        // snippet:start scheduled-periodic
        ScheduledExecutorService scheduler = AsyncExecutors.wrap(Executors.newSingleThreadScheduledExecutor());
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch threeRuns = new CountDownLatch(3);

        ScheduledFuture<?> heartbeat = USER.run("alice", () -> scheduler.scheduleAtFixedRate(() -> {
            int run = runs.incrementAndGet();
            if (run <= 3) {
                log("heartbeat " + run);          // alice: heartbeat 1, 2 and 3
                threeRuns.countDown();
            }
        }, 0, 10, TimeUnit.MILLISECONDS));

        threeRuns.await();
        heartbeat.cancel(false);
        USER.run("bob", () -> scheduler.schedule(() -> log("once, later"), 5, TimeUnit.MILLISECONDS)).get();
                                                  // bob: once, later
        scheduler.submit(() -> log("between runs, the thread holds no one's context")).get();
                                                  // -: between runs, ...
        scheduler.shutdown();
        // snippet:end scheduled-periodic
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
}
