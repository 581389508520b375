package dev.asynclocal.benchmarks.jdk25;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Group 2, {@code run}, for {@code ScopedValue}: bind a value, read it once inside, unbind, the
 * same work as every row of {@code dev.asynclocal.benchmarks.RunBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RunBenchmark {
    static final String VALUE = "value";
    static final ScopedValue<String> SCOPED = ScopedValue.newInstance();
    /** Non-capturing, so no lambda is allocated per call. */
    static final ScopedValue.CallableOp<String, RuntimeException> READ = SCOPED::get;

    @Benchmark
    public String scopedValue() {
        return ScopedValue.where(SCOPED, VALUE).call(READ);
    }
}
