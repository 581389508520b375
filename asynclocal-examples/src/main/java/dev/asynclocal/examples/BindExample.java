package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link AsyncLocalStorage#bind(Runnable)} and {@link AsyncLocalStorage#bind(Callable)}: one
 * function, tied to the context current where it was bound.
 */
public final class BindExample {
    private BindExample() {
    }

    static final AsyncLocalStorage<String> TRACE_ID = new AsyncLocalStorage<>("traceId");

    static void log(String msg) {
        String traceId = TRACE_ID.getStore();
        System.out.println("[" + (traceId != null ? traceId : "-") + "] " + msg);
    }

    public static void main(String[] args) throws InterruptedException, ExecutionException {
        // snippet:start bind-runnable
        Runnable plain = () -> log("plain task");
        Runnable bound = TRACE_ID.run("t-7", () -> AsyncLocalStorage.bind(() -> log("bound task")));

        Thread first = new Thread(plain);
        Thread second = new Thread(bound);
        first.start();
        first.join();     // [-] plain task      (a new thread starts with an empty context)
        second.start();
        second.join();    // [t-7] bound task    (the context of the bind call)

        TRACE_ID.run("t-8", () -> {
            bound.run();             // [t-7] bound task    (also on the calling thread)
            log("caller again");     // [t-8] caller again  (the caller's context is back)
        });
        // snippet:end bind-runnable

        // snippet:start bind-callable
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Callable<String> query = TRACE_ID.run("t-9",
                () -> AsyncLocalStorage.bind(() -> "result computed for " + TRACE_ID.getStore()));
        log(pool.submit(query).get());   // [-] result computed for t-9
        pool.shutdown();
        // snippet:end bind-callable
    }
}
