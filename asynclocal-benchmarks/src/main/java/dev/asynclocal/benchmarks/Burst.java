package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * One operation of the executor-hop group: the same task submitted {@link #TASKS} times to an
 * executor whose single thread runs them in order; the submitter waits for the last one. A burst
 * instead of a single task because one {@code future.get()} per hop on a 2-core machine measures
 * thread wake-up, not propagation.
 *
 * <p>Each run reads the library's value on the pool thread and counts the reads that saw
 * {@link Values#VALUE}, so {@link #await()} tells whether the executor propagated the context.
 */
final class Burst implements Runnable {
    static final int TASKS = 64;

    private final Supplier<?> reader;
    private final CountDownLatch done = new CountDownLatch(TASKS);
    /** Written by the pool's one thread only; read after {@link #done} opens (happens-before). */
    private int seen;

    private Burst(Supplier<?> reader) {
        this.reader = reader;
    }

    /** Submits a burst to {@code executor} and returns how many tasks saw the value. */
    static int run(Executor executor, Supplier<?> reader) throws InterruptedException {
        Burst burst = new Burst(reader);
        for (int i = 0; i < TASKS; i++) {
            executor.execute(burst);
        }
        return burst.await();
    }

    @Override
    public void run() {
        if (reader.get() == VALUE) {
            seen++;
        }
        done.countDown();
    }

    private int await() throws InterruptedException {
        done.await();
        return seen;
    }
}
