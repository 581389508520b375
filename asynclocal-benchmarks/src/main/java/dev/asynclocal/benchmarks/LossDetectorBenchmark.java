package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.ContextLossDetector;
import java.util.concurrent.Executor;
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
 * The price of the context-loss detector, off and on (no flight recording running), on the paths it
 * touches. The storage is declared with {@code expectStore} and has the default value
 * {@code VALUE}, so a read without a store returns {@code VALUE} too.
 * <ul>
 *   <li>{@code getStore}: a read that finds its store (every read in a healthy application);</li>
 *   <li>{@code getStoreMiss}: a read that finds none: off, a volatile read; on, one loss (a stack
 *       walk and a site lookup, the report itself only the first time);</li>
 *   <li>{@code bindAndRun}: capture + restore through {@code AsyncLocalStorage.bind}, which the
 *       detector leaves alone unless a recording runs;</li>
 *   <li>{@code watchAndRun}: a task tagged with {@code watch} and run at once in its own context
 *       (on: a stack walk at creation and a frame comparison at run);</li>
 *   <li>{@code guardedExecute}: a task given to a guarded direct executor.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class LossDetectorBenchmark {
    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId", VALUE);

    @Param({"off", "on"})
    public String detector;

    private AsyncLocalStorage.Scope scope;
    private final Executor guarded = ContextLossDetector.guard(Runnable::run);
    private Object read;
    private final Runnable task = () -> read = REQUEST_ID.getStore();

    @Setup
    public void setUp() {
        ContextLossDetector.expectStore(REQUEST_ID);
        ContextLossDetector.setListener(loss -> { });
        if ("on".equals(detector)) {
            ContextLossDetector.enable();
        } else {
            ContextLossDetector.disable();
        }
        scope = REQUEST_ID.withScope(VALUE);
    }

    @TearDown
    public void tearDown() {
        scope.close();
        ContextLossDetector.disable();
        ContextLossDetector.setListener(null);
    }

    @Benchmark
    public Object getStore() {
        return REQUEST_ID.getStore();
    }

    @Benchmark
    public Object getStoreMiss() {
        return REQUEST_ID.exit(REQUEST_ID::getStore);
    }

    @Benchmark
    public Object bindAndRun() {
        AsyncLocalStorage.bind(task).run();
        return read;
    }

    @Benchmark
    public Object watchAndRun() {
        ContextLossDetector.watch(task).run();
        return read;
    }

    @Benchmark
    public Object guardedExecute() {
        guarded.execute(task);
        return read;
    }
}
