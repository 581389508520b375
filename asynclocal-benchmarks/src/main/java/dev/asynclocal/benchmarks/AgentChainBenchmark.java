package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;
import static dev.asynclocal.benchmarks.Values.shutdown;
import static dev.asynclocal.benchmarks.Values.startedSingleThreadPool;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Group 7b, agent vs wrappers on a {@code CompletableFuture} chain: the chain of group 5 (five
 * dependent {@code thenApply} stages registered with an asynclocal value current, the head
 * completed from another thread), on a plain {@code CompletableFuture} ({@code jdk}) or on an
 * {@code AsyncCompletableFuture} ({@code asyncLocal_wrapped}). As in group 7a, {@code jdk} is the
 * floor without the agent and the agent row with it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class AgentChainBenchmark {
    static final int STAGES = CompletableFutureChainBenchmark.STAGES;
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");
    static final Function<Integer, Integer> STAGE = stage(ASYNC_LOCAL::getStore);

    private ThreadPoolExecutor completer;
    private AsyncLocalStorage.Scope scope;

    @Setup
    public void enter() {
        completer = startedSingleThreadPool("agent-chain-completer");
        scope = ASYNC_LOCAL.withScope(VALUE);
        AgentSupport.checkPlainRow(chain(new CompletableFuture<>()), STAGES, "a plain CompletableFuture chain");
    }

    @TearDown
    public void leave() throws InterruptedException {
        scope.close();
        shutdown(completer);
    }

    /** A plain future: the floor without the agent, the agent row with it. */
    @Benchmark
    public int jdk() {
        return chain(new CompletableFuture<>());
    }

    @Benchmark
    public int asyncLocal_wrapped() {
        return chain(new AsyncCompletableFuture<>());
    }

    private int chain(CompletableFuture<Integer> head) {
        CompletableFuture<Integer> last = head;
        for (int i = 0; i < STAGES; i++) {
            last = last.thenApply(STAGE);
        }
        completer.execute(() -> head.complete(0));
        return last.join();
    }

    private static Function<Integer, Integer> stage(Supplier<?> reader) {
        return seen -> reader.get() == VALUE ? seen + 1 : seen;
    }
}
