package dev.asynclocal.benchmarks;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Shared constants and helpers of the benchmarks. */
final class Values {
    /** The store every benchmark sets and expects to read back. */
    static final String VALUE = "value";

    private Values() {
    }

    /**
     * A pool with one daemon thread, started before any context is set: an inheritable thread-local
     * (TransmittableThreadLocal is one) would otherwise be copied into the pool thread when it is
     * created lazily by the first submission, and an "unwrapped" row would then see the value.
     */
    static ThreadPoolExecutor startedSingleThreadPool(String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, name);
                    thread.setDaemon(true);
                    return thread;
                });
        pool.prestartAllCoreThreads();
        return pool;
    }

    static void shutdown(ThreadPoolExecutor pool) throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(pool + " did not stop");
        }
    }

    /** Fails the trial early when a setup did not make the value current. */
    static void check(Object read, String what) {
        if (read != VALUE) {
            throw new IllegalStateException(what + " read " + read + " after setup, expected " + VALUE);
        }
    }
}
