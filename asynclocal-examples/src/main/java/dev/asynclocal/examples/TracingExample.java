package dev.asynclocal.examples;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.trace.AsyncTracer;
import dev.asynclocal.trace.Trace;
import dev.asynclocal.trace.TraceSelection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Traces one request that fans out: a checkout loads a cart on a pool thread, then asks for the
 * price and the stock at the same time and combines the answers. The trace shows which operation
 * caused which, on which thread each ran and for how long. Writes {@code checkout.json} (open it in
 * Perfetto) and {@code checkout.dot} (render it with {@code dot -Tsvg}) to the directory given as
 * argument, {@code target} by default, and prints the checkout's result.
 */
public final class TracingExample {
    private TracingExample() {
    }

    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        ExecutorService pool = AsyncExecutors.wrap(threads);

        try (AsyncTracer tracer = AsyncTracer.start(TraceSelection.carrying(REQUEST_ID))) {
            String receipt = REQUEST_ID.run("checkout-7", () -> checkout(pool)).join();
            System.out.println(receipt);
            threads.shutdown();                                // let every task finish its run
            threads.awaitTermination(10, TimeUnit.SECONDS);

            Trace trace = tracer.stop().trace();
            Files.writeString(dir.resolve("checkout.json"), trace.toChromeJson()); // Perfetto
            Files.writeString(dir.resolve("checkout.dot"), trace.toDot());         // Graphviz
        }
    }

    static CompletableFuture<String> checkout(ExecutorService pool) {
        return AsyncCompletableFuture.supplyAsync(() -> loadCart(REQUEST_ID.getStore()), pool)
                .thenCompose(cart -> {
                    CompletableFuture<Integer> price = AsyncCompletableFuture.supplyAsync(() -> 42, pool);
                    CompletableFuture<Boolean> stock = AsyncCompletableFuture.supplyAsync(() -> true, pool);
                    return price.thenCombine(stock, (p, inStock) -> cart + ": " + p + (inStock ? " EUR, in stock" : ""));
                })
                .thenApply(summary -> REQUEST_ID.getStore() + " -> " + summary);
    }

    /** Plays a database query: takes a few milliseconds, so the rest of the chain is registered first. */
    static String loadCart(String requestId) {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "cart of " + requestId;
    }
}
