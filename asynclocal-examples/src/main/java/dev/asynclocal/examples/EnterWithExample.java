package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@link AsyncLocalStorage#enterWith(Object)}: set a store for the rest of the current
 * synchronous execution, from code that cannot wrap that rest in a lambda.
 */
public final class EnterWithExample {
    private EnterWithExample() {
    }

    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void log(String msg) {
        String user = USER.getStore();
        System.out.println((user != null ? user : "-") + ": " + msg);
    }

    public static void main(String[] args) throws InterruptedException {
        endsWithRun();
        requests();
        leak();
    }

    static void endsWithRun() {
        // snippet:start enter-with-run
        USER.run("alice", () -> {
            log("in run");                 // alice: in run
            USER.enterWith("mallory");
            log("after enterWith");        // mallory: after enterWith
        });
        log("after run");                  // -: after run   (run restored the whole context)
        // snippet:end enter-with-run
    }

    // snippet:start enter-with-request
    /** Like a framework's "before request" hook: it returns before the request is handled. */
    static void authenticate(String token) {
        USER.enterWith(token.substring("token-of-".length()));
    }

    static void handleRequest(String token, Executor worker) {
        authenticate(token);                       // sets the user, then returns...
        log("handler");                            // ...and the handler still sees it
        // so does work bound after it
        Runnable audit = AsyncLocalStorage.bind(() -> log("async work"));
        CompletableFuture.runAsync(audit, worker).join();
    }

    static void requests() throws InterruptedException {
        ExecutorService server = Executors.newSingleThreadExecutor();
        ExecutorService worker = Executors.newSingleThreadExecutor();
        // Binding each task gives it a boundary: when it ends, the thread's context is restored.
        Executor requests = task -> server.execute(AsyncLocalStorage.bind(task));

        requests.execute(() -> handleRequest("token-of-alice", worker));
        requests.execute(() -> handleRequest("token-of-bob", worker));
        requests.execute(() -> log("next task on the same thread"));

        server.shutdown();
        server.awaitTermination(10, TimeUnit.SECONDS);
        worker.shutdown();
    }
    // Prints:
    //   alice: handler
    //   alice: async work
    //   bob: handler
    //   bob: async work
    //   -: next task on the same thread
    // snippet:end enter-with-request

    static void leak() throws InterruptedException {
        // snippet:start enter-with-leak
        ExecutorService plain = Executors.newSingleThreadExecutor();   // tasks not bound
        plain.execute(() -> authenticate("token-of-carol"));
        plain.execute(() -> log("someone else's task"));   // carol: someone else's task  (leaked!)
        plain.shutdown();
        plain.awaitTermination(10, TimeUnit.SECONDS);
        // snippet:end enter-with-leak
    }
}
