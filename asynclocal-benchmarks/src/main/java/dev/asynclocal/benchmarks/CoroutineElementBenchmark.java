package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.kotlin.AsyncContextElement;
import dev.asynclocal.kotlin.AsyncLocalCoroutines;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.extension.kotlin.ContextExtensionsKt;
import java.util.concurrent.TimeUnit;
import kotlin.coroutines.CoroutineContext;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlinx.coroutines.ThreadContextElement;
import kotlinx.coroutines.ThreadContextElementKt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a coroutine pays for its context on every resume and suspension: the element's
 * {@code updateThreadContext} (resume) and {@code restoreThreadContext} (suspension), the pair
 * kotlinx.coroutines calls around each slice of a coroutine's run, plus one read of the value in
 * between (the work a resumed coroutine does with it). Side by side: asynclocal's element
 * ({@code asyncLocal}), kotlinx's {@code ThreadLocal.asContextElement} ({@code threadLocal}) and
 * OpenTelemetry's Kotlin context element ({@code openTelemetry}). Each returns what it read, so
 * the sanity test sees the value.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class CoroutineElementBenchmark {
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");
    static final ThreadLocal<String> THREAD_LOCAL = new ThreadLocal<>();
    static final ContextKey<String> OTEL_KEY = ContextKey.named("value");

    private final CoroutineContext context = EmptyCoroutineContext.INSTANCE;
    private ThreadContextElement<Object> asyncLocal;
    private ThreadContextElement<Object> threadLocal;
    private ThreadContextElement<Object> openTelemetry;

    @SuppressWarnings("unchecked")
    @Setup
    public void elements() {
        asyncLocal = (ThreadContextElement<Object>) (ThreadContextElement<?>)
                AsyncLocalCoroutines.asContextElement(ASYNC_LOCAL, VALUE);
        threadLocal = (ThreadContextElement<Object>) (ThreadContextElement<?>)
                ThreadContextElementKt.asContextElement(THREAD_LOCAL, VALUE);
        openTelemetry = (ThreadContextElement<Object>) (ThreadContextElement<?>)
                ContextExtensionsKt.asContextElement(Context.root().with(OTEL_KEY, VALUE));
    }

    @Benchmark
    public Object asyncLocal() {
        Object previous = asyncLocal.updateThreadContext(context);
        try {
            return ASYNC_LOCAL.getStore();
        } finally {
            asyncLocal.restoreThreadContext(context, previous);
        }
    }

    @Benchmark
    public Object threadLocal() {
        Object previous = threadLocal.updateThreadContext(context);
        try {
            return THREAD_LOCAL.get();
        } finally {
            threadLocal.restoreThreadContext(context, previous);
        }
    }

    @Benchmark
    public Object openTelemetry() {
        Object previous = openTelemetry.updateThreadContext(context);
        try {
            return Context.current().get(OTEL_KEY);
        } finally {
            openTelemetry.restoreThreadContext(context, previous);
        }
    }

    /** Keeps the element type visible to readers: the one asynclocal-kotlin returns. */
    static Class<?> elementType() {
        return AsyncContextElement.class;
    }
}
