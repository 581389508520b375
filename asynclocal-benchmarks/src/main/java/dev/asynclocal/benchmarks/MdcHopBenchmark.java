package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;
import static dev.asynclocal.benchmarks.Values.shutdown;
import static dev.asynclocal.benchmarks.Values.startedSingleThreadPool;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.slf4j.MDC;

/**
 * Group 7, the MDC on an executor hop: the cost of carrying SLF4J MDC values with each task, for
 * 0, 1 and 5 MDC entries. Both rows propagate through {@code AsyncExecutors.wrap}; they differ in
 * where the MDC lives.
 * <ul>
 *   <li>{@code asyncLocal_mdc}: asynclocal-slf4j's MDC, which lives in the asynclocal context and
 *       so travels with the one captured frame reference (the JVM runs with
 *       {@code -Dslf4j.provider=dev.asynclocal.slf4j.AsyncLocalServiceProvider});</li>
 *   <li>{@code logback_mdcCopy}: Logback's own thread-local MDC, copied into each task and
 *       restored after it by hand, which is what applications do without asynclocal-slf4j.</li>
 * </ul>
 * The floor is {@code asyncLocal_mdc} with no MDC entry: a propagated hop without MDC.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Burst.TASKS)
@State(Scope.Thread)
public class MdcHopBenchmark {
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");
    static final Supplier<Object> READ_ASYNC_LOCAL = ASYNC_LOCAL::getStore;

    @Param({"0", "1", "5"})
    public int mdcEntries;

    private ThreadPoolExecutor pool;
    private Executor propagating;
    private Executor copyingMdc;
    private AsyncLocalStorage.Scope scope;

    @Setup
    public void enter() {
        pool = startedSingleThreadPool("hop-mdc");
        propagating = AsyncExecutors.wrap(pool);
        copyingMdc = task -> {
            Map<String, String> submitted = MDC.getCopyOfContextMap();
            propagating.execute(() -> {
                Map<String, String> previous = MDC.getCopyOfContextMap();
                setMdc(submitted);
                try {
                    task.run();
                } finally {
                    setMdc(previous);
                }
            });
        };
        scope = ASYNC_LOCAL.withScope(VALUE);
        for (int i = 0; i < mdcEntries; i++) {
            MDC.put("key" + i, "value" + i);
        }
    }

    @TearDown
    public void leave() throws InterruptedException {
        MDC.clear();
        scope.close();
        shutdown(pool);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-Dslf4j.provider=dev.asynclocal.slf4j.AsyncLocalServiceProvider")
    public int asyncLocal_mdc() throws InterruptedException {
        return Burst.run(propagating, READ_ASYNC_LOCAL);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider")
    public int logback_mdcCopy() throws InterruptedException {
        return Burst.run(copyingMdc, READ_ASYNC_LOCAL);
    }

    private static void setMdc(Map<String, String> values) {
        if (values == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(values);
        }
    }
}
