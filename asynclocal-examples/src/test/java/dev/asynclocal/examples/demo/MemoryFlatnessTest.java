package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Retained heap stays flat however many requests went through: the soak server's whole path
 * (pool hop, future stages, scheduled task, parallel stream, virtual thread on Java 21+, MDC and
 * log lines) is driven in-process, 64 requests in flight, and the heap left after a full GC is
 * measured at {@value #FIRST} requests and again at {@code -Dmemory.requests} (300,000 by
 * default; the documented long form uses 1,000,000).
 *
 * <p>The bound: the growth between the two measurements must stay under {@value #BYTES_PER_REQUEST}
 * bytes per extra request. The smallest Java object takes 16 bytes, so a leak of even one object
 * per request (a frame, a map entry, a captured task) crosses it; what stays under it is the
 * noise of a full GC's measurement (a few hundred KB at most).
 */
class MemoryFlatnessTest {
    static final int FIRST = 100_000;
    static final int DEFAULT_TOTAL = 300_000;
    static final int BYTES_PER_REQUEST = 8;
    private static final int IN_FLIGHT = 64;

    @Test
    void retainedHeapAfterFullGcDoesNotGrowWithRequests() throws Exception {
        int total = Integer.getInteger("memory.requests", DEFAULT_TOTAL);
        assertThat(total).as("-Dmemory.requests").isGreaterThan(FIRST);
        SoakSupport.LineChecker checker = SoakSupport.LineChecker.install();
        try (SoakServer server = SoakServer.inProcess(Propagation.WRAPPERS, Duration.ZERO)) {
            long start = System.nanoTime();
            Driver driver = new Driver(server);
            driver.run(0, FIRST);
            long atFirst = retainedHeap();
            driver.run(FIRST, total);
            long atTotal = retainedHeap();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(List.copyOf(driver.badSamples)).as("requests answered wrongly").isEmpty();
            assertThat(driver.answered.sum()).as("requests answered").isEqualTo(total);
            assertThat(server.mismatchSamples()).as("hops that saw another user's context").isEmpty();
            assertThat(server.hops()).as("hops checked").isEqualTo((long) total * server.hopsPerRequest());
            assertThat(List.copyOf(checker.samples)).as("log lines whose MDC is another user's").isEmpty();
            assertThat(checker.lines.sum()).as("log lines").isEqualTo((long) total * server.logLinesPerRequest());

            long growth = atTotal - atFirst;
            long bound = (long) (total - FIRST) * BYTES_PER_REQUEST;
            System.out.println(String.format(Locale.ROOT,
                    "memory: %,d requests in-process in %.1f s; retained heap after full GC %,d KB at %,d and %,d KB at %,d"
                            + " requests: %+,d KB (bound %,d KB)",
                    total, took.toMillis() / 1000.0, atFirst / 1024, FIRST, atTotal / 1024, total, growth / 1024, bound / 1024));
            assertThat(growth).as("retained heap growth from %,d to %,d requests, bytes", FIRST, total).isLessThan(bound);
        } finally {
            checker.uninstall();
        }
    }

    /** Sends requests from the test thread, never more than {@value #IN_FLIGHT} unanswered. */
    private static final class Driver {
        private final SoakServer server;
        private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
        final LongAdder answered = new LongAdder();
        final Queue<String> badSamples = new ConcurrentLinkedQueue<>();

        Driver(SoakServer server) {
            this.server = server;
        }

        void run(int from, int to) throws InterruptedException {
            for (int i = from; i < to; i++) {
                assertThat(inFlight.tryAcquire(30, TimeUnit.SECONDS)).as("a request slot within 30 s").isTrue();
                String user = "user-" + i;
                server.process(user).whenComplete((body, failure) -> {
                    if (failure != null || !("user " + user + "\n").equals(body)) {
                        if (badSamples.size() < 20) {
                            badSamples.add(user + ": " + (failure != null ? failure : body));
                        }
                    }
                    answered.increment();
                    inFlight.release();
                });
            }
            // every request of this batch answered before the heap is measured
            assertThat(inFlight.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS)).as("all answered within 60 s").isTrue();
            inFlight.release(IN_FLIGHT);
        }
    }

    /**
     * Heap in use after full collections, repeated until two readings agree within 64 KB (at
     * most ten times); the lowest reading is what nothing could free.
     */
    static long retainedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long lowest = Long.MAX_VALUE;
        long previous = -1;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            lowest = Math.min(lowest, used);
            if (previous >= 0 && Math.abs(used - previous) < 64 * 1024) {
                break;
            }
            previous = used;
        }
        return lowest;
    }
}
