package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the agent's rule for new threads costs (docs/agent.md, "New threads"), in a context:
 * starting and joining a plain thread (which inherits provisionally: a copy of the frame and a
 * mark at start), a {@code Thread} subclass (which inherits nothing), a take from a
 * {@code BlockingQueue}, where every thread now asks whether it still holds an inherited context,
 * and an await of a {@code Condition}, where it asks too: one counter read (does any thread still
 * hold an inherited context?), and while another thread holds one, a look-up of this thread. Run
 * it three times, side by side: without the agent, with it ({@code threads=isolate}, the default)
 * and with {@code threads=inherit} (the rule before); see docs/benchmarks.md for the command and
 * the figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ThreadStartBenchmark {
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition condition = lock.newCondition();
    private AsyncLocalStorage.Scope scope;
    private volatile Object seen;

    /** A subclass, as libraries write their worker threads. */
    static final class Worker extends Thread {
        private final ThreadStartBenchmark owner;

        Worker(ThreadStartBenchmark owner) {
            this.owner = owner;
        }

        @Override
        public void run() {
            owner.seen = ASYNC_LOCAL.getStore();
        }
    }

    @Setup
    public void enter() {
        scope = ASYNC_LOCAL.withScope(VALUE);
    }

    @TearDown
    public void leave() {
        scope.close();
    }

    @Benchmark
    public Object plainThread() throws InterruptedException {
        Thread thread = new Thread(() -> seen = ASYNC_LOCAL.getStore());
        thread.start();
        thread.join();
        return seen;
    }

    @Benchmark
    public Object subclassThread() throws InterruptedException {
        Thread thread = new Worker(this);
        thread.start();
        thread.join();
        return seen;
    }

    /** An offer and a take that does not block: the cost of the check added to every take. */
    @Benchmark
    public Object queueTake() throws InterruptedException {
        queue.offer(VALUE);
        return queue.take();
    }

    /**
     * A plain thread started in a context that never waits where the agent can see it: under the
     * agent it keeps what it inherited, so every other thread's {@code Condition} await goes one
     * step further (a look-up of the calling thread).
     */
    @State(Scope.Benchmark)
    public static class LingeringInheritor {
        private Thread thread;

        @Setup
        public void start() {
            thread = ASYNC_LOCAL.run("inherited", () -> new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    LockSupport.park(this);
                }
            }, "lingering-inheritor"));
            ASYNC_LOCAL.run("inherited", thread::start);
        }

        @TearDown
        public void stop() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }

    /**
     * An await that does not block ({@code awaitNanos(0)}, the lock taken and given back around
     * it): the whole path of a {@code Condition} await, with the agent's check at its start.
     * Returns the store, which the await must leave as it was (this thread set its context itself).
     */
    @Benchmark
    public Object conditionAwait() throws InterruptedException {
        lock.lock();
        try {
            condition.awaitNanos(0);
        } finally {
            lock.unlock();
        }
        return ASYNC_LOCAL.getStore();
    }

    /** The same while another thread holds an inherited context. */
    @Benchmark
    public Object conditionAwaitWhileAnotherThreadInherits(LingeringInheritor other) throws InterruptedException {
        return conditionAwait();
    }
}
