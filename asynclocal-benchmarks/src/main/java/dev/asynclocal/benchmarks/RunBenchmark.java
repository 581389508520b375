package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;

import com.alibaba.ttl.TransmittableThreadLocal;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.CallableOp;
import dev.asynclocal.Snapshot;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Group 2, {@code run}: make a value current, read it once inside, and put the previous context
 * back. Each library uses its own idiom for "enter and leave" (set and restore a thread-local,
 * {@code makeCurrent()} + {@code close()}, {@code attach()} + {@code detach()}, a callback), always
 * starting from the context current on the thread, never from a cached root. The ScopedValue row is
 * in {@code jdk25.RunBenchmark}.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RunBenchmark {
    static final ThreadLocal<String> THREAD_LOCAL = new ThreadLocal<>();
    static final InheritableThreadLocal<String> INHERITABLE = new InheritableThreadLocal<>();
    static final TransmittableThreadLocal<String> TTL = new TransmittableThreadLocal<>();
    static final ContextKey<String> OTEL_KEY = ContextKey.named("value");
    static final io.grpc.Context.Key<String> GRPC_KEY = io.grpc.Context.key("value");
    @SuppressWarnings("unchecked")
    static final ThreadLocalAccessor<String> MICROMETER = (ThreadLocalAccessor<String>) new ContextRegistry()
            .registerThreadLocalAccessor("value", new ThreadLocal<String>())
            .getThreadLocalAccessors().get(0);
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");

    /** Non-capturing, so the callback rows allocate no lambda per call. */
    static final CallableOp<String, RuntimeException> READ_ASYNC_LOCAL = ASYNC_LOCAL::getStore;
    static final CallableOp<String, RuntimeException> ENTER_WITH_AND_READ = () -> {
        ASYNC_LOCAL.enterWith(VALUE);
        return ASYNC_LOCAL.getStore();
    };

    /** The benchmark thread's (empty) context, run around {@code enterWith} to undo it. */
    private Snapshot outer;

    @Setup
    public void captureOuter() {
        outer = AsyncLocalStorage.snapshot();
    }

    @Benchmark
    public String threadLocal() {
        String previous = THREAD_LOCAL.get();
        THREAD_LOCAL.set(VALUE);
        try {
            return THREAD_LOCAL.get();
        } finally {
            THREAD_LOCAL.set(previous);
        }
    }

    @Benchmark
    public String inheritableThreadLocal() {
        String previous = INHERITABLE.get();
        INHERITABLE.set(VALUE);
        try {
            return INHERITABLE.get();
        } finally {
            INHERITABLE.set(previous);
        }
    }

    @Benchmark
    public String ttl() {
        String previous = TTL.get();
        TTL.set(VALUE);
        try {
            return TTL.get();
        } finally {
            TTL.set(previous);
        }
    }

    @Benchmark
    public String micrometer() {
        String previous = MICROMETER.getValue();
        MICROMETER.setValue(VALUE);
        try {
            return MICROMETER.getValue();
        } finally {
            // the accessor contract: restore(value) for a value, restore() for "there was none"
            if (previous != null) {
                MICROMETER.restore(previous);
            } else {
                MICROMETER.restore();
            }
        }
    }

    @Benchmark
    @SuppressWarnings("try") // the scope is only closed
    public String openTelemetry() {
        try (Scope ignored = Context.current().with(OTEL_KEY, VALUE).makeCurrent()) {
            return Context.current().get(OTEL_KEY);
        }
    }

    @Benchmark
    public String grpc() {
        io.grpc.Context context = io.grpc.Context.current().withValue(GRPC_KEY, VALUE);
        io.grpc.Context previous = context.attach();
        try {
            return GRPC_KEY.get();
        } finally {
            context.detach(previous);
        }
    }

    @Benchmark
    public String asyncLocal_run() {
        return ASYNC_LOCAL.run(VALUE, READ_ASYNC_LOCAL);
    }

    @Benchmark
    @SuppressWarnings("try") // the scope is only closed
    public String asyncLocal_withScope() {
        try (AsyncLocalStorage.Scope ignored = ASYNC_LOCAL.withScope(VALUE)) {
            return ASYNC_LOCAL.getStore();
        }
    }

    /** {@code enterWith} has no undo of its own: the enclosing run (here a snapshot's) restores. */
    @Benchmark
    public String asyncLocal_enterWith() {
        return outer.run(ENTER_WITH_AND_READ);
    }
}
