package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;
import static dev.asynclocal.benchmarks.Values.shutdown;
import static dev.asynclocal.benchmarks.Values.startedSingleThreadPool;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Group 7a, agent vs wrappers on an executor hop: the {@link Burst} of group 4 with an asynclocal
 * value current, through the plain pool ({@code jdk}) or through {@code AsyncExecutors.wrap}
 * ({@code asyncLocal_wrapped}). Without the agent {@code jdk} is the floor and its tasks see
 * nothing; {@code run.sh} runs it again with {@code -javaagent}, where the same plain-JDK code
 * propagates, and reports that run as the agent row.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Burst.TASKS)
@State(Scope.Thread)
public class AgentHopBenchmark {
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");
    static final Supplier<Object> READ = ASYNC_LOCAL::getStore;

    private ThreadPoolExecutor pool;
    private Executor wrapped;
    private AsyncLocalStorage.Scope scope;

    @Setup
    public void enter() throws InterruptedException {
        pool = startedSingleThreadPool("agent-hop");
        wrapped = AsyncExecutors.wrap(pool);
        scope = ASYNC_LOCAL.withScope(VALUE);
        AgentSupport.checkPlainRow(Burst.run(pool, READ), Burst.TASKS, "a plain pool's burst");
    }

    @TearDown
    public void leave() throws InterruptedException {
        scope.close();
        shutdown(pool);
    }

    /** The plain pool: the floor without the agent, the agent row with it. */
    @Benchmark
    public int jdk() throws InterruptedException {
        return Burst.run(pool, READ);
    }

    @Benchmark
    public int asyncLocal_wrapped() throws InterruptedException {
        return Burst.run(wrapped, READ);
    }
}
