package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.internal.Engine;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Reads what every thread of a pool holds between tasks: one probe per thread, all held at a
 * barrier so that each runs on a thread of its own. Probes ask for the worker's own context, not a
 * context of their own, so they are {@link Engine.PassThrough}s: neither a wrapper nor the agent binds them.
 */
final class ThreadProbe implements Runnable, Engine.PassThrough {
    private final CyclicBarrier everyThreadBusy;
    private final Supplier<String> read;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile String seen;
    private volatile String thread;

    private ThreadProbe(CyclicBarrier everyThreadBusy, Supplier<String> read) {
        this.everyThreadBusy = everyThreadBusy;
        this.read = read;
    }

    /**
     * What {@code read} returns on each of {@code threads} threads of the pool that {@code executor}
     * hands tasks to; fails unless every probe ran, each on a different thread.
     */
    static List<String> eachThread(int threads, Consumer<Runnable> executor, Supplier<String> read) throws Exception {
        CyclicBarrier everyThreadBusy = new CyclicBarrier(threads);
        List<ThreadProbe> probes = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            ThreadProbe probe = new ThreadProbe(everyThreadBusy, read);
            probes.add(probe);
            executor.accept(probe);
        }
        List<String> seen = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ThreadProbe probe : probes) {
            assertThat(probe.done.await(20, TimeUnit.SECONDS)).as("probe ran").isTrue();
            seen.add(probe.seen);
            names.add(probe.thread);
        }
        assertThat(names).as("threads probed").hasSize(threads);
        return seen;
    }

    @Override
    public void run() {
        try {
            everyThreadBusy.await(10, TimeUnit.SECONDS);
            thread = Thread.currentThread().getName();
            seen = read.get();
        } catch (Exception e) {
            seen = "probe failed: " + e;
        } finally {
            done.countDown();
        }
    }
}
