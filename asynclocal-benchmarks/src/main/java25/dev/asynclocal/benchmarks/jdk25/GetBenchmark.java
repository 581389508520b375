package dev.asynclocal.benchmarks.jdk25;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Group 1, {@code get}, for {@code ScopedValue}. A binding exists only inside
 * {@code ScopedValue.where(..).run(..)}, so it cannot stay open across JMH's measurement loop as the
 * other libraries' scopes do. Instead one binding wraps {@value #READS} reads, each sunk into a
 * blackhole, and the time is divided by {@value #READS}: the binding's own cost, a few nanoseconds,
 * adds well under 0.1 ns per read. {@code threadLocal_loop} reads a thread-local in exactly the
 * same loop, as a control: if it matches the plain {@code threadLocal} row, the loop shape does not
 * flatter the reads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GetBenchmark {
    static final int READS = 128;
    static final String VALUE = "value";
    static final ScopedValue<String> SCOPED = ScopedValue.newInstance();
    static final ThreadLocal<String> THREAD_LOCAL = new ThreadLocal<>();

    private Blackhole blackhole;
    private final ScopedValue.CallableOp<String, RuntimeException> readScoped = () -> {
        String last = null;
        for (int i = 0; i < READS; i++) {
            last = SCOPED.get();
            blackhole.consume(last);
        }
        return last;
    };

    @Setup
    public void enter(Blackhole blackhole) {
        this.blackhole = blackhole;
        THREAD_LOCAL.set(VALUE);
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public String scopedValue() {
        return ScopedValue.where(SCOPED, VALUE).call(readScoped);
    }

    @Benchmark
    @OperationsPerInvocation(READS)
    public String threadLocal_loop() {
        String last = null;
        for (int i = 0; i < READS; i++) {
            last = THREAD_LOCAL.get();
            blackhole.consume(last);
        }
        return last;
    }
}
