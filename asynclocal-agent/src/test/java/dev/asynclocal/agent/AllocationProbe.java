package dev.asynclocal.agent;

import java.lang.management.ManagementFactory;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Prints the bytes the calling thread allocates per operation of each instrumented kind, in an
 * empty context (or, with the argument {@code store}, inside a {@code run}). Run by
 * {@link AllocationIT} in JVMs with and without the agent; one line per operation,
 * {@code name bytesPerOp}.
 */
public final class AllocationProbe {
    private static final int N = 20_000;

    private AllocationProbe() {
    }

    public static void main(String[] args) throws Exception {
        boolean inContext = args.length > 0 && args[0].equals("store");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        ForkJoinPool forkJoin = new ForkJoinPool(1);
        Timer timer = new Timer(true);
        Runnable noop = () -> { };
        Object[] keep = new Object[2 * N];

        measure(threads, inContext, "ThreadPoolExecutor.execute", i -> pool.execute(noop));
        CompletableFuture<?>[] futures = new CompletableFuture<?>[2 * N];
        measure(threads, inContext, "CompletableFuture.thenApply", i -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            keep[i] = f.thenApply(v -> v);
            futures[i] = f;
        });
        measure(threads, inContext, "CompletableFuture.complete", i -> complete(futures[i]));
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[2 * N];
        for (int i = 0; i < 2 * N; i++) {
            tasks[i] = ForkJoinTask.adapt(noop);
        }
        // The pool's only worker waits meanwhile, so its queue grows the same way in every run.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        forkJoin.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        measure(threads, inContext, "ForkJoinPool.execute(ForkJoinTask)", i -> forkJoin.execute(tasks[i]));
        release.countDown();
        measure(threads, inContext, "ScheduledThreadPoolExecutor.schedule", i -> {
            ScheduledFuture<?> f = scheduler.schedule(noop, 1, TimeUnit.HOURS);
            keep[i] = f;
        });
        TimerTask[] timerTasks = new TimerTask[2 * N];
        for (int i = 0; i < 2 * N; i++) {
            timerTasks[i] = new TimerTask() {
                @Override
                public void run() {
                }
            };
        }
        measure(threads, inContext, "Timer.schedule", i -> timer.schedule(timerTasks[i], 3_600_000));
        pool.shutdownNow();
        scheduler.shutdownNow();
        forkJoin.shutdownNow();
        timer.cancel();
    }

    @SuppressWarnings("unchecked")
    private static void complete(CompletableFuture<?> future) {
        ((CompletableFuture<String>) future).complete("v");
    }

    /**
     * Warms {@code op} up on indexes {@code [0, N)}, then prints the bytes per call over the calls
     * on {@code [N, 2N)}: every call works on objects of its own.
     */
    private static void measure(com.sun.management.ThreadMXBean threads, boolean inContext, String name, IntConsumer op) {
        if (inContext) {
            Kit.STORE.run("probe", () -> measure(threads, false, name, op));
            return;
        }
        for (int i = 0; i < N; i++) {
            op.accept(i);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = N; i < 2 * N; i++) {
            op.accept(i);
        }
        long after = threads.getCurrentThreadAllocatedBytes();
        System.out.printf("%s %.1f%n", name, (after - before) / (double) N);
    }
}
