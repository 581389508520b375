package dev.asynclocal.agent;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A main class written the way every doc example is written: a static {@code AsyncLocalStorage}
 * field, then {@code AsyncLocalAgent.install()} first thing in {@code main}. The JVM initialises
 * the field before {@code main} runs, so install must refuse, with one clear message
 * ({@link InstallIT}). {@link LauncherMain} is the documented way around it.
 */
public final class StaticFieldMain {
    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");

    private StaticFieldMain() {
    }

    public static void main(String[] args) throws Exception {
        AsyncLocalAgent.install();
        run();
    }

    /** The application: one pool hop, printed. */
    static void run() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        REQUEST_ID.run("r-1", () -> pool.execute(() -> System.out.println("pool=" + REQUEST_ID.getStore())));
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }
}
