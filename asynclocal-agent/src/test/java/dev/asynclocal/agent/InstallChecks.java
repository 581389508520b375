package dev.asynclocal.agent;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** What {@link InstallProbe} checks once the agent is installed; prints one line per check. */
final class InstallChecks {
    private static final AsyncLocalStorage<String> STORE = new AsyncLocalStorage<>();

    private InstallChecks() {
    }

    static void touch() {
        STORE.getStore();
    }

    static void run() throws Exception {
        System.out.println("loader=" + AsyncLocalStorage.class.getClassLoader());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        System.out.println("pool=" + STORE.run("pool", () -> pool.submit(STORE::getStore).get(10, TimeUnit.SECONDS)));
        CompletableFuture<String> f = new CompletableFuture<>();
        CompletableFuture<String> stage = STORE.run("stage", () -> f.thenApply(v -> STORE.getStore()));
        STORE.run("completer", () -> f.complete("v"));
        System.out.println("stage=" + stage.get(10, TimeUnit.SECONDS));
        AtomicReference<String> fromThread = new AtomicReference<>();
        Thread t = new Thread(() -> fromThread.set(STORE.getStore()));
        STORE.run("thread", t::start);
        t.join();
        System.out.println("thread=" + fromThread.get());
        System.out.println("stream=" + STORE.run("stream", () -> IntStream.range(0, 1000).parallel()
                .mapToObj(i -> String.valueOf(STORE.getStore())).collect(Collectors.toSet())));
        pool.shutdown();
    }
}
