package dev.asynclocal.examples;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@link AsyncCompletableFuture}: every stage runs in the context where it was registered, not
 * in the context of whoever completes the future.
 */
public final class CompletableFutureExample {
    private CompletableFutureExample() {
    }

    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void log(String msg) {
        String user = USER.getStore();
        System.out.println((user != null ? user : "-") + ": " + msg);
    }

    public static void main(String[] args) throws InterruptedException {
        registrationContext();
        chain();
    }

    static void registrationContext() {
        // snippet:start future-registration
        CompletableFuture<String> plain = new CompletableFuture<>();
        AsyncCompletableFuture<String> propagating = new AsyncCompletableFuture<>();

        USER.run("alice", () -> {                   // alice registers the stages...
            plain.thenAccept(v -> log("plain stage got " + v));
            propagating.thenAccept(v -> log("propagating stage got " + v));
        });
        USER.run("bob", () -> {                     // ...bob completes the futures
            plain.complete("42");                   // bob: plain stage got 42
            propagating.complete("42");             // alice: propagating stage got 42
        });
        // snippet:end future-registration
    }

    static void chain() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // snippet:start future-chain
        CompletableFuture<String> reply = new CompletableFuture<>();   // a library's plain future

        CompletableFuture<Void> done = USER.run("alice", () -> AsyncCompletableFuture.from(reply)
                .thenApplyAsync(String::toUpperCase, pool)         // a plain pool: no wrapper needed
                .thenAccept(v -> log("got " + v)));

        USER.run("bob", () -> reply.complete("pong"));            // the library completes it
        done.join();                                              // alice: got PONG
        // snippet:end future-chain
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }
}
