package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;
import static dev.asynclocal.benchmarks.Values.check;

import com.alibaba.ttl.TransmittableThreadLocal;
import dev.asynclocal.AsyncLocalStorage;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Group 1, {@code get}: read one value inside an active scope. Every library's value is made current
 * once per trial, on the benchmark thread; each method is one read. The ScopedValue row, which cannot
 * keep a binding open across JMH's loop, is in {@code jdk25.GetBenchmark}.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GetBenchmark {
    static final ThreadLocal<String> THREAD_LOCAL = new ThreadLocal<>();
    static final InheritableThreadLocal<String> INHERITABLE = new InheritableThreadLocal<>();
    static final TransmittableThreadLocal<String> TTL = new TransmittableThreadLocal<>();
    static final ContextKey<String> OTEL_KEY = ContextKey.named("value");
    static final io.grpc.Context.Key<String> GRPC_KEY = io.grpc.Context.key("value");
    static final ThreadLocal<String> MICROMETER_THREAD_LOCAL = new ThreadLocal<>();
    /** Micrometer stores nothing itself: code reads a thread-local through a registered accessor. */
    static final ThreadLocalAccessor<?> MICROMETER = new ContextRegistry()
            .registerThreadLocalAccessor("value", MICROMETER_THREAD_LOCAL)
            .getThreadLocalAccessors().get(0);
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");

    private Scope otelScope;
    private io.grpc.Context grpcContext;
    private io.grpc.Context grpcPrevious;
    private AsyncLocalStorage.Scope asyncLocalScope;

    @Setup
    public void enter() {
        THREAD_LOCAL.set(VALUE);
        INHERITABLE.set(VALUE);
        TTL.set(VALUE);
        MICROMETER_THREAD_LOCAL.set(VALUE);
        otelScope = Context.current().with(OTEL_KEY, VALUE).makeCurrent();
        grpcContext = io.grpc.Context.current().withValue(GRPC_KEY, VALUE);
        grpcPrevious = grpcContext.attach();
        asyncLocalScope = ASYNC_LOCAL.withScope(VALUE);
        check(threadLocal(), "threadLocal");
        check(inheritableThreadLocal(), "inheritableThreadLocal");
        check(ttl(), "ttl");
        check(micrometer(), "micrometer");
        check(openTelemetry(), "openTelemetry");
        check(grpc(), "grpc");
        check(asyncLocal(), "asyncLocal");
    }

    @TearDown
    public void leave() {
        asyncLocalScope.close();
        grpcContext.detach(grpcPrevious);
        otelScope.close();
        MICROMETER_THREAD_LOCAL.remove();
        TTL.remove();
        INHERITABLE.remove();
        THREAD_LOCAL.remove();
    }

    @Benchmark
    public String threadLocal() {
        return THREAD_LOCAL.get();
    }

    @Benchmark
    public String inheritableThreadLocal() {
        return INHERITABLE.get();
    }

    @Benchmark
    public String ttl() {
        return TTL.get();
    }

    @Benchmark
    public Object micrometer() {
        return MICROMETER.getValue();
    }

    @Benchmark
    public String openTelemetry() {
        return Context.current().get(OTEL_KEY);
    }

    @Benchmark
    public String grpc() {
        return GRPC_KEY.get();
    }

    @Benchmark
    public String asyncLocal() {
        return ASYNC_LOCAL.getStore();
    }
}
