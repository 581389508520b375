package dev.asynclocal.examples;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@link AsyncExecutors#wrap(ExecutorService)}: an executor service whose every task runs in the
 * context of the code that submitted it.
 */
public final class ExecutorsExample {
    private ExecutorsExample() {
    }

    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void log(String msg) {
        String user = USER.getStore();
        System.out.println((user != null ? user : "-") + ": " + msg);
    }

    public static void main(String[] args) throws Exception {
        // snippet:start executors-wrap
        ExecutorService plain = Executors.newFixedThreadPool(2);
        ExecutorService pool = AsyncExecutors.wrap(plain);   // the same threads, propagating

        USER.run("alice", () -> {
            plain.submit(() -> log("plain pool")).get();      // -: plain pool
            pool.submit(() -> log("wrapped pool")).get();     // alice: wrapped pool
            Future<String> seen = pool.submit(() -> USER.getStore());
            log("a Callable saw " + seen.get());              // alice: a Callable saw alice
            // Any API that takes an Executor gets the propagation too:
            CompletableFuture.runAsync(() -> log("runAsync"), pool).join();   // alice: runAsync
            return null;
        });
        pool.submit(() -> log("outside any run")).get();      // -: outside any run

        pool.shutdown();                                      // shuts down plain too
        pool.awaitTermination(10, TimeUnit.SECONDS);
        // snippet:end executors-wrap
    }
}
