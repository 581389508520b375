package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.get;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * One request crossing every kind of boundary in turn, with plain JDK classes: a pool task
 * registers a future stage, which schedules a task, which runs a parallel stream, whose elements
 * start threads, which schedule timer tasks. Every step sees the request's store, and requests
 * running at the same time never see each other's.
 */
class NestedIT {
    /** Runs the chain for {@code request}; completes with what each step saw, in order. */
    static CompletableFuture<List<String>> chain(String request, ExecutorService pool, ScheduledExecutorService scheduler,
            Timer timer, CompletableFuture<String> trigger) {
        CompletableFuture<List<String>> result = new CompletableFuture<>();
        STORE.run(request, () -> pool.execute(() -> {
            List<String> steps = new ArrayList<>();
            steps.add("pool:" + STORE.getStore());
            trigger.thenAccept(v -> {
                steps.add("stage:" + STORE.getStore());
                scheduler.schedule(() -> {
                    steps.add("scheduled:" + STORE.getStore());
                    Set<String> streamed = IntStream.range(0, 64).parallel().mapToObj(i -> {
                        Queue<String> fromThreads = new ConcurrentLinkedQueue<>();
                        if (i % 16 == 0) {
                            Thread t = new Thread(() -> {
                                fromThreads.add("thread:" + STORE.getStore());
                                java.util.concurrent.CountDownLatch fired = new java.util.concurrent.CountDownLatch(1);
                                timer.schedule(new TimerTask() {
                                    @Override
                                    public void run() {
                                        fromThreads.add("timer:" + STORE.getStore());
                                        fired.countDown();
                                    }
                                }, 1);
                                Kit.awaitQuietly(fired);
                            });
                            t.start();
                            try {
                                t.join();
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        }
                        fromThreads.add("stream:" + STORE.getStore());
                        return String.join(",", fromThreads);
                    }).flatMap(s -> java.util.Arrays.stream(s.split(","))).collect(Collectors.toSet());
                    steps.addAll(new java.util.TreeSet<>(streamed));
                    result.complete(steps);
                }, 1, TimeUnit.MILLISECONDS);
            });
        }));
        return result;
    }

    @Test
    void everyBoundaryInTurnKeepsTheRequestsStore() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
        Timer timer = new Timer(true);
        try {
            List<CompletableFuture<String>> triggers = new ArrayList<>();
            List<CompletableFuture<List<String>>> results = new ArrayList<>();
            for (int r = 0; r < 8; r++) {
                CompletableFuture<String> trigger = new CompletableFuture<>();
                triggers.add(trigger);
                results.add(chain("request-" + r, pool, scheduler, timer, trigger));
            }
            // Completed by another request's context, in reverse order.
            for (int r = 7; r >= 0; r--) {
                CompletableFuture<String> trigger = triggers.get(r);
                STORE.run("completer", () -> trigger.complete("go"));
            }
            for (int r = 0; r < 8; r++) {
                String s = "request-" + r;
                assertThat(get(results.get(r))).containsExactly("pool:" + s, "stage:" + s, "scheduled:" + s,
                        "stream:" + s, "thread:" + s, "timer:" + s);
            }
        } finally {
            pool.shutdownNow();
            scheduler.shutdownNow();
            timer.cancel();
        }
    }
}
