package dev.asynclocal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Run in a fresh JVM by {@link ContextLossPropertyTest}: provokes a loss with the detector turned
 * on by the system property alone, and prints the report on standard output.
 */
public final class LossDemoMain {
    static final AsyncLocalStorage<Integer> REQUEST_ID = new AsyncLocalStorage<>("requestId");

    private LossDemoMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("enabled=" + ContextLossDetector.isEnabled());
        ContextLossDetector.expectStore(REQUEST_ID);
        ContextLossDetector.setListener(loss -> System.out.print(loss.report()));
        ExecutorService pool = Executors.newFixedThreadPool(1);
        for (int id = 0; id < 3; id++) {
            REQUEST_ID.run(id, () -> pool.execute(() -> log("finish")));
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        System.out.println("count=" + ContextLossDetector.losses().get(0).count());
    }

    static void log(String msg) {
        Integer id = REQUEST_ID.getStore();
        System.err.println((id != null ? id : "-") + ": " + msg);
    }
}
