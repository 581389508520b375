package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A million tasks across mixed boundaries, every one checking that it sees exactly the store of
 * the request that caused it.
 *
 * <p>The race it checks: many requests in flight at once on few threads, so that every worker
 * keeps switching between requests' contexts (and back to its own empty one), every future is
 * completed from another request's context, and fork/join workers steal tasks of different
 * requests. A single task seeing a neighbour's store, or a leftover one, is a mismatch. Each
 * request makes 50 tasks: 20 {@code ThreadPoolExecutor} tasks (one of which completes the
 * previous request's future), a fork/join tree of 15 tasks, 10 {@code CompletableFuture} stages
 * and 5 scheduled tasks; every 100th request also runs a 16-element parallel stream, starts a
 * thread and schedules a timer task. Run alone: {@code mvn verify -Dit.test=StressIT}; the number
 * of requests is {@code -Dasynclocal.stress.requests} (default 20,000, so 1,000,000 tasks).
 */
class StressIT {
    private static final int REQUESTS = Integer.getInteger("asynclocal.stress.requests", 20_000);
    private static final int SUBMITTERS = 2;

    private final LongAdder checks = new LongAdder();
    private final LongAdder mismatches = new LongAdder();
    private final Semaphore inFlight = new Semaphore(2_000);
    private final CountDownLatch done = new CountDownLatch(REQUESTS);

    /** One request: its store, and how many of its tasks have not run yet. */
    final class Request {
        final String id;
        final AtomicInteger remaining;

        Request(String id, int tasks) {
            this.id = id;
            this.remaining = new AtomicInteger(tasks);
        }

        void check() {
            if (!id.equals(STORE.getStore())) {
                mismatches.increment();
            }
            checks.increment();
            if (remaining.decrementAndGet() == 0) {
                inFlight.release();
                done.countDown();
            }
        }
    }

    /** A binary fork/join tree of {@code 2^(depth+1) - 1} tasks, each one a check. */
    @SuppressWarnings("serial")
    static final class Tree extends RecursiveAction {
        private final Request request;
        private final int depth;

        Tree(Request request, int depth) {
            this.request = request;
            this.depth = depth;
        }

        @Override
        protected void compute() {
            request.check();
            if (depth > 0) {
                invokeAll(new Tree(request, depth - 1), new Tree(request, depth - 1));
            }
        }
    }

    @Test
    void everyTaskSeesExactlyItsOwnRequestsStore() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        ForkJoinPool forkJoin = new ForkJoinPool(2);
        Timer timer = new Timer("stress-timer", true);
        long start = System.nanoTime();
        try {
            Thread[] submitters = new Thread[SUBMITTERS];
            for (int s = 0; s < SUBMITTERS; s++) {
                int first = s;
                submitters[s] = new Thread(() -> submit(first, pool, scheduler, forkJoin, timer), "submitter-" + s);
                submitters[s].start();
            }
            for (Thread submitter : submitters) {
                submitter.join();
            }
            assertThat(done.await(120, TimeUnit.SECONDS)).as("all requests done; checks so far " + checks.sum()).isTrue();
        } finally {
            pool.shutdownNow();
            scheduler.shutdownNow();
            forkJoin.shutdownNow();
            timer.cancel();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("StressIT: %,d tasks across 7 boundaries for %,d requests in %,d ms, %d mismatches%n",
                checks.sum(), REQUESTS, millis, mismatches.sum());
        assertThat(mismatches.sum()).isZero();
        assertThat(checks.sum()).isGreaterThanOrEqualTo(50L * REQUESTS);
    }

    private void submit(int first, ThreadPoolExecutor pool, ScheduledThreadPoolExecutor scheduler, ForkJoinPool forkJoin,
            Timer timer) {
        CompletableFuture<Void> previous = null;
        for (int i = first; i < REQUESTS; i += SUBMITTERS) {
            inFlight.acquireUninterruptibly();
            boolean extras = i % 100 == 0;
            Request request = new Request("request-" + i, 50 + (extras ? 18 : 0));
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> toComplete = previous;
            previous = mine;
            STORE.run(request.id, () -> {
                for (int t = 0; t < 19; t++) {
                    pool.execute(request::check);
                }
                pool.execute(() -> {
                    request.check();
                    if (toComplete != null) {
                        toComplete.complete(null); // in this request's context, not the registrar's
                    }
                });
                forkJoin.execute(new Tree(request, 3));
                for (int t = 0; t < 10; t++) {
                    mine.thenRun(request::check);
                }
                for (int t = 0; t < 5; t++) {
                    scheduler.schedule(request::check, 0, TimeUnit.NANOSECONDS);
                }
                if (extras) {
                    pool.execute(() -> IntStream.range(0, 16).parallel().forEach(n -> request.check()));
                    new Thread(request::check).start();
                    timer.schedule(new TimerTask() {
                        @Override
                        public void run() {
                            request.check();
                        }
                    }, 0);
                }
            });
        }
        CompletableFuture<Void> last = previous;
        STORE.run("the-end", () -> last.complete(null));
    }
}
