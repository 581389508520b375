package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The request-id logger: two "requests" each get an id, log {@code start}, hop to another thread,
 * and log {@code finish} there. Every line carries the id of its own request, although the code
 * that logs never receives the id as a parameter.
 *
 * <p>Run it with {@code mvn -B -q -pl asynclocal-examples -am -DskipTests package exec:java
 * -Dexec.mainClass=dev.asynclocal.examples.RequestIdLogger}.
 */
public final class RequestIdLogger {
    private RequestIdLogger() {
    }

    // snippet:start request-id-logger
    static final AsyncLocalStorage<Integer> REQUEST_ID = new AsyncLocalStorage<>("requestId");

    static void logWithId(String msg) {
        Integer id = REQUEST_ID.getStore();
        System.out.println((id != null ? id : "-") + ": " + msg);
    }

    static void handleRequest(int id, Executor executor) {
        REQUEST_ID.run(id, () -> {
            logWithId("start");
            // Imagine any chain of asynchronous operations here.
            executor.execute(() -> logWithId("finish"));
        });
    }

    public static void main(String[] args) throws InterruptedException {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        // A plain executor does not carry the context to its thread; this one binds every task
        // to the context of the code that submits it.
        Executor executor = task -> worker.execute(AsyncLocalStorage.bind(task));

        // Hold the worker until both requests have started, so that the output order is fixed.
        CountDownLatch bothStarted = new CountDownLatch(1);
        worker.execute(() -> {
            try {
                bothStarted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        int idSeq = 0;
        handleRequest(idSeq++, executor);
        handleRequest(idSeq++, executor);
        bothStarted.countDown();

        worker.shutdown();
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }
    // Prints:
    //   0: start
    //   1: start
    //   0: finish
    //   1: finish
    // snippet:end request-id-logger
}
