package dev.asynclocal.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Test classes that {@link ContextLeakExtensionTest} runs through the JUnit Platform test kit, as a
 * user's tests would be run. They are nested, so Surefire does not run them on its own. Each
 * records the line of the call that leaks, for the assertions on the report.
 */
final class Samples {
    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
    /** The line of each sample's leaking call, by sample. */
    static final Map<String, Integer> LINES = new ConcurrentHashMap<>();

    private Samples() {
    }

    /** Records the line after the caller's. */
    static void markNextLine(String sample) {
        LINES.put(sample, StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow().getLineNumber() + 1);
    }

    @ExtendWith(ContextLeakExtension.class)
    static class LeaksOnTheTestThread {
        @Test
        void leaks() {
            markNextLine("testThread");
            REQUEST_ID.enterWith("r-1");
        }
    }

    @DetectContextLeaks
    static class LeavesAScopeOpen {
        @Test
        void opensAScope() {
            markNextLine("scope");
            REQUEST_ID.withScope("r-2");
        }
    }

    @DetectContextLeaks
    static class LeaksOnAPoolThread {
        static ExecutorService pool;

        @BeforeAll
        static void startPool() {
            pool = Executors.newSingleThreadExecutor(task -> new Thread(task, "sample-pool"));
        }

        @AfterAll
        static void stopPool() throws InterruptedException {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }

        @Test
        void leaks() throws Exception {
            // A plain executor: nothing restores the worker's context after the task.
            pool.submit(() -> {
                markNextLine("pool");
                REQUEST_ID.enterWith("r-3");
            }).get(10, TimeUnit.SECONDS);
        }
    }

    @DetectContextLeaks
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class TheNextTestStartsClean {
        static volatile String seenBySecond = "not run";

        @Test
        @Order(1)
        void leaks() {
            REQUEST_ID.enterWith("r-4");
        }

        @Test
        @Order(2)
        void seesNoStore() {
            seenBySecond = String.valueOf(REQUEST_ID.getStore());
        }
    }

    @DetectContextLeaks
    static class FailsAndLeaks {
        @Test
        void fails() {
            REQUEST_ID.enterWith("r-5");
            throw new IllegalStateException("the test's own failure");
        }
    }

    @DetectContextLeaks
    static class LeaksInBeforeAll {
        @BeforeAll
        static void setUp() {
            markNextLine("beforeAll");
            REQUEST_ID.enterWith("r-6");
        }

        @Test
        void passes() {
            assertThat(REQUEST_ID.getStore()).isEqualTo("r-6");
        }
    }

    /** Everything here ends its context properly: no test may fail. */
    @DetectContextLeaks
    static class Clean {
        static ExecutorService threads;
        static ExecutorService wrapped;

        @BeforeAll
        static void startPool() {
            threads = Executors.newFixedThreadPool(2);
            wrapped = AsyncExecutors.wrap(threads);
        }

        @AfterAll
        static void stopPool() throws InterruptedException {
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }

        @Test
        void runEndsItsContext() {
            REQUEST_ID.run("r-7", () -> REQUEST_ID.enterWith("inside run"));
        }

        @Test
        void aClosedScopeEndsItsContext() {
            try (AsyncLocalStorage.Scope ignored = REQUEST_ID.withScope("r-8")) {
                REQUEST_ID.enterWith("inside the scope");
            }
        }

        /**
         * The future completes inside the task, before the wrapper restores the worker's context:
         * the extension must wait for the worker to settle instead of reporting it.
         */
        @RepeatedTest(20)
        void enterWithInsideAPropagatedTaskEndsWithTheTask() throws Exception {
            wrapped.submit(() -> REQUEST_ID.enterWith("inside a task")).get(10, TimeUnit.SECONDS);
        }

        @Test
        void aThreadThatEndsTakesItsContextWithIt() throws Exception {
            Thread thread = new Thread(() -> REQUEST_ID.enterWith("on a short-lived thread"));
            thread.start();
            thread.join(10_000);
        }

        @Test
        void enteringTheSameStoreAgainChangesNothing() {
            REQUEST_ID.run("r-9", () -> REQUEST_ID.enterWith("r-9"));
        }
    }
}
