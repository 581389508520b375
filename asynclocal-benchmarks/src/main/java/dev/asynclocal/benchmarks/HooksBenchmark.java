package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;

import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Group 6, the price of hooks on asynclocal's capture + restore path ({@code bind} then run on the
 * same thread, as in group 3 with one variable). {@code hook=none}: no hook enabled, a pure frame
 * swap (the floor). {@code hook=initBeforeAfter}: one enabled hook with empty {@code init},
 * {@code before} and {@code after}, so every capture is an async resource with an id and every run
 * dispatches two events. {@code hook=withDestroy}: the same hook also overriding {@code destroy},
 * which makes each capture register for destroy-on-collection.
 *
 * <p>The executor-hop variant waits for {@code AsyncExecutors}; see the placeholder in
 * {@link ExecutorHopBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class HooksBenchmark {
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");

    @Param({"none", "initBeforeAfter", "withDestroy"})
    public String hook;

    private AsyncHook enabled;
    private AsyncLocalStorage.Scope scope;
    private Object read;
    private final Runnable task = () -> read = ASYNC_LOCAL.getStore();

    @Setup
    public void enter() {
        switch (hook) {
            case "none":
                break;
            case "initBeforeAfter":
                enabled = AsyncHooks.createHook(new AsyncHook.Callbacks() {
                    @Override
                    public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                    }

                    @Override
                    public void before(long asyncId) {
                    }

                    @Override
                    public void after(long asyncId) {
                    }
                }).enable();
                break;
            case "withDestroy":
                enabled = AsyncHooks.createHook(new AsyncHook.Callbacks() {
                    @Override
                    public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                    }

                    @Override
                    public void before(long asyncId) {
                    }

                    @Override
                    public void after(long asyncId) {
                    }

                    @Override
                    public void destroy(long asyncId) {
                    }
                }).enable();
                break;
            default:
                throw new IllegalArgumentException("unknown hook setting " + hook);
        }
        scope = ASYNC_LOCAL.withScope(VALUE);
    }

    @TearDown
    public void leave() {
        scope.close();
        if (enabled != null) {
            enabled.disable();
        }
    }

    @Benchmark
    public Object asyncLocal() {
        AsyncLocalStorage.bind(task).run();
        return read;
    }
}
