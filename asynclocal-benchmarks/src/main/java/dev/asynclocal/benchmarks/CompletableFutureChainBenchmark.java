package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;
import static dev.asynclocal.benchmarks.Values.shutdown;
import static dev.asynclocal.benchmarks.Values.startedSingleThreadPool;

import com.alibaba.ttl.TransmittableThreadLocal;
import com.alibaba.ttl.TtlWrappers;
import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Group 5, a {@code CompletableFuture} chain: {@value #STAGES} dependent {@code thenApply} stages
 * registered on the benchmark thread (where the value is current), then the head completed from
 * another thread, which therefore runs every stage; the benchmark thread joins the last one. Each
 * stage adds one when it sees the value, so the result counts the stages that were propagated to.
 *
 * <p>Rows: plain JDK (the floor; stages read a thread-local and see nothing), and each library that
 * offers a function wrapper: OpenTelemetry's {@code Context.wrapFunction}, TTL's
 * {@code TtlWrappers.wrapFunction}. gRPC and Micrometer offer none for {@code Function}. For
 * asynclocal, {@code AsyncCompletableFuture} (no wrapping by hand), and for comparison each stage
 * bound by hand with a {@link Snapshot}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class CompletableFutureChainBenchmark {
    static final int STAGES = 5;

    static final ThreadLocal<String> THREAD_LOCAL = new ThreadLocal<>();
    static final TransmittableThreadLocal<String> TTL = new TransmittableThreadLocal<>();
    static final ContextKey<String> OTEL_KEY = ContextKey.named("value");
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");

    static final Function<Integer, Integer> JDK_STAGE = stage(THREAD_LOCAL::get);
    static final Function<Integer, Integer> TTL_STAGE = stage(TTL::get);
    static final Function<Integer, Integer> OTEL_STAGE = stage(() -> Context.current().get(OTEL_KEY));
    static final Function<Integer, Integer> ASYNC_LOCAL_STAGE = stage(ASYNC_LOCAL::getStore);

    /** Completes the chain's head: the only thread that runs the stages. */
    private ThreadPoolExecutor completer;
    private io.opentelemetry.context.Scope otelScope;
    private AsyncLocalStorage.Scope asyncLocalScope;

    @Setup
    public void enter() {
        completer = startedSingleThreadPool("chain-completer");
        THREAD_LOCAL.set(VALUE);
        TTL.set(VALUE);
        otelScope = Context.current().with(OTEL_KEY, VALUE).makeCurrent();
        asyncLocalScope = ASYNC_LOCAL.withScope(VALUE);
    }

    @TearDown
    public void leave() throws InterruptedException {
        asyncLocalScope.close();
        otelScope.close();
        TTL.remove();
        THREAD_LOCAL.remove();
        shutdown(completer);
    }

    @Benchmark
    public int jdk() {
        return chain(JDK_STAGE, UnaryOperator.identity());
    }

    @Benchmark
    public int ttl() {
        return chain(TTL_STAGE, TtlWrappers::wrapFunction);
    }

    @Benchmark
    public int openTelemetry() {
        return chain(OTEL_STAGE, stage -> Context.current().wrapFunction(stage));
    }

    @Benchmark
    public int asyncLocal_snapshot() {
        return chain(ASYNC_LOCAL_STAGE, CompletableFutureChainBenchmark::bindBySnapshot);
    }

    /** The library's own future: every stage runs where it was registered, no wrapping by hand. */
    @Benchmark
    public int asyncLocal_wrapped() {
        CompletableFuture<Integer> head = new AsyncCompletableFuture<>();
        CompletableFuture<Integer> last = head;
        for (int i = 0; i < STAGES; i++) {
            last = last.thenApply(ASYNC_LOCAL_STAGE);
        }
        completer.execute(() -> head.complete(0));
        return last.join();
    }

    private int chain(Function<Integer, Integer> stage, UnaryOperator<Function<Integer, Integer>> wrap) {
        CompletableFuture<Integer> head = new CompletableFuture<>();
        CompletableFuture<Integer> last = head;
        for (int i = 0; i < STAGES; i++) {
            last = last.thenApply(wrap.apply(stage));
        }
        completer.execute(() -> head.complete(0));
        return last.join();
    }

    private static Function<Integer, Integer> stage(Supplier<?> reader) {
        return seen -> reader.get() == VALUE ? seen + 1 : seen;
    }

    private static <T, R> Function<T, R> bindBySnapshot(Function<T, R> fn) {
        Snapshot snapshot = AsyncLocalStorage.snapshot();
        return input -> snapshot.run(() -> fn.apply(input));
    }
}
