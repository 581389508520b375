package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;
import static dev.asynclocal.benchmarks.Values.shutdown;
import static dev.asynclocal.benchmarks.Values.startedSingleThreadPool;

import com.alibaba.ttl.TransmittableThreadLocal;
import com.alibaba.ttl.threadpool.TtlExecutors;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncLocalStorage;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
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
 * Group 4, executor hop: a {@link Burst} of 64 tasks submitted to a single-thread pool, waiting for
 * all; times are per task. For each library the value is current on the submitting thread, and the
 * pool is used either as is ({@code _unwrapped}: the task sees nothing) or through the library's
 * wrapper ({@code _wrapped}: every task sees the value). {@code threadLocal_unwrapped} is the floor.
 *
 * <p>The pool thread is started before any value is set, so inheritable thread-locals are not
 * copied into it at creation and cannot make an unwrapped row look propagated.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Burst.TASKS)
public class ExecutorHopBenchmark {
    static final ThreadLocal<String> THREAD_LOCAL = new ThreadLocal<>();
    static final TransmittableThreadLocal<String> TTL = new TransmittableThreadLocal<>();
    static final ContextKey<String> OTEL_KEY = ContextKey.named("value");
    static final ThreadLocal<String> MICROMETER_THREAD_LOCAL = new ThreadLocal<>();
    static final io.grpc.Context.Key<String> GRPC_KEY = io.grpc.Context.key("value");
    static final AsyncLocalStorage<String> ASYNC_LOCAL = new AsyncLocalStorage<>("value");

    static final Supplier<Object> READ_THREAD_LOCAL = THREAD_LOCAL::get;
    static final Supplier<Object> READ_TTL = TTL::get;
    static final Supplier<Object> READ_OTEL = () -> Context.current().get(OTEL_KEY);
    static final Supplier<Object> READ_MICROMETER = MICROMETER_THREAD_LOCAL::get;
    static final Supplier<Object> READ_GRPC = GRPC_KEY::get;
    static final Supplier<Object> READ_ASYNC_LOCAL = ASYNC_LOCAL::getStore;

    @Benchmark
    public int threadLocal_unwrapped(ThreadLocalHop s) throws InterruptedException {
        return Burst.run(s.pool, READ_THREAD_LOCAL);
    }

    @Benchmark
    public int ttl_unwrapped(TtlHop s) throws InterruptedException {
        return Burst.run(s.pool, READ_TTL);
    }

    @Benchmark
    public int ttl_wrapped(TtlHop s) throws InterruptedException {
        return Burst.run(s.wrapped, READ_TTL);
    }

    @Benchmark
    public int openTelemetry_unwrapped(OpenTelemetryHop s) throws InterruptedException {
        return Burst.run(s.pool, READ_OTEL);
    }

    @Benchmark
    public int openTelemetry_wrapped(OpenTelemetryHop s) throws InterruptedException {
        return Burst.run(s.wrapped, READ_OTEL);
    }

    @Benchmark
    public int micrometer_unwrapped(MicrometerHop s) throws InterruptedException {
        return Burst.run(s.pool, READ_MICROMETER);
    }

    @Benchmark
    public int micrometer_wrapped(MicrometerHop s) throws InterruptedException {
        return Burst.run(s.wrapped, READ_MICROMETER);
    }

    @Benchmark
    public int grpc_unwrapped(GrpcHop s) throws InterruptedException {
        return Burst.run(s.pool, READ_GRPC);
    }

    @Benchmark
    public int grpc_wrapped(GrpcHop s) throws InterruptedException {
        return Burst.run(s.wrapped, READ_GRPC);
    }

    @Benchmark
    public int asyncLocal_unwrapped(AsyncLocalHop s) throws InterruptedException {
        return Burst.run(s.pool, READ_ASYNC_LOCAL);
    }

    /** Each task bound by hand with the core API, as a wrapper written by a user would do. */
    @Benchmark
    public int asyncLocal_bind(AsyncLocalHop s) throws InterruptedException {
        return Burst.run(s.bindEach, READ_ASYNC_LOCAL);
    }

    /** The library's own wrapper: {@code AsyncExecutors.wrap(pool)}, with the value current. */
    @Benchmark
    public int asyncLocal_wrapped(AsyncLocalHop s) throws InterruptedException {
        return Burst.run(s.wrapped, READ_ASYNC_LOCAL);
    }

    /** The wrapper with no store set and no hook: the "0 extra bytes per hop" target. */
    @Benchmark
    public int asyncLocal_wrapped_noContext(AsyncLocalNoContextHop s) throws InterruptedException {
        return Burst.run(s.wrapped, READ_ASYNC_LOCAL);
    }

    /** The wrapper with one hook (init, before, after) enabled: every task is an async resource. */
    @Benchmark
    public int asyncLocal_wrapped_hook(AsyncLocalHookHop s) throws InterruptedException {
        return Burst.run(s.wrapped, READ_ASYNC_LOCAL);
    }

    @State(Scope.Thread)
    public static class ThreadLocalHop {
        ThreadPoolExecutor pool;

        @Setup
        public void enter() {
            pool = startedSingleThreadPool("hop-threadLocal");
            THREAD_LOCAL.set(VALUE);
        }

        @TearDown
        public void leave() throws InterruptedException {
            THREAD_LOCAL.remove();
            shutdown(pool);
        }
    }

    @State(Scope.Thread)
    public static class TtlHop {
        ThreadPoolExecutor pool;
        Executor wrapped;

        @Setup
        public void enter() {
            pool = startedSingleThreadPool("hop-ttl");
            wrapped = TtlExecutors.getTtlExecutorService(pool);
            TTL.set(VALUE);
        }

        @TearDown
        public void leave() throws InterruptedException {
            TTL.remove();
            shutdown(pool);
        }
    }

    @State(Scope.Thread)
    public static class OpenTelemetryHop {
        ThreadPoolExecutor pool;
        Executor wrapped;
        io.opentelemetry.context.Scope scope;

        @Setup
        public void enter() {
            pool = startedSingleThreadPool("hop-openTelemetry");
            wrapped = Context.taskWrapping(pool);
            scope = Context.current().with(OTEL_KEY, VALUE).makeCurrent();
        }

        @TearDown
        public void leave() throws InterruptedException {
            scope.close();
            shutdown(pool);
        }
    }

    @State(Scope.Thread)
    public static class MicrometerHop {
        ThreadPoolExecutor pool;
        Executor wrapped;

        @Setup
        public void enter() {
            pool = startedSingleThreadPool("hop-micrometer");
            ContextRegistry registry = new ContextRegistry()
                    .registerThreadLocalAccessor("value", MICROMETER_THREAD_LOCAL);
            wrapped = ContextExecutorService.wrap(pool,
                    ContextSnapshotFactory.builder().contextRegistry(registry).build());
            MICROMETER_THREAD_LOCAL.set(VALUE);
        }

        @TearDown
        public void leave() throws InterruptedException {
            MICROMETER_THREAD_LOCAL.remove();
            shutdown(pool);
        }
    }

    @State(Scope.Thread)
    public static class GrpcHop {
        ThreadPoolExecutor pool;
        Executor wrapped;
        io.grpc.Context context;
        io.grpc.Context previous;

        @Setup
        public void enter() {
            pool = startedSingleThreadPool("hop-grpc");
            wrapped = io.grpc.Context.currentContextExecutor(pool);
            context = io.grpc.Context.current().withValue(GRPC_KEY, VALUE);
            previous = context.attach();
        }

        @TearDown
        public void leave() throws InterruptedException {
            context.detach(previous);
            shutdown(pool);
        }
    }

    @State(Scope.Thread)
    public static class AsyncLocalHop {
        ThreadPoolExecutor pool;
        Executor bindEach;
        Executor wrapped;
        AsyncLocalStorage.Scope scope;

        @Setup
        public void enter() {
            pool = startedSingleThreadPool("hop-asyncLocal");
            ThreadPoolExecutor target = pool;
            bindEach = task -> target.execute(AsyncLocalStorage.bind(task));
            wrapped = AsyncExecutors.wrap(target);
            scope = ASYNC_LOCAL.withScope(VALUE);
        }

        @TearDown
        public void leave() throws InterruptedException {
            scope.close();
            shutdown(pool);
        }
    }

    @State(Scope.Thread)
    public static class AsyncLocalNoContextHop {
        ThreadPoolExecutor pool;
        Executor wrapped;

        @Setup
        public void enter() {
            pool = startedSingleThreadPool("hop-asyncLocal-noContext");
            wrapped = AsyncExecutors.wrap(pool);
        }

        @TearDown
        public void leave() throws InterruptedException {
            shutdown(pool);
        }
    }

    @State(Scope.Thread)
    public static class AsyncLocalHookHop {
        ThreadPoolExecutor pool;
        Executor wrapped;
        AsyncLocalStorage.Scope scope;
        AsyncHook hook;

        @Setup
        public void enter() {
            pool = startedSingleThreadPool("hop-asyncLocal-hook");
            wrapped = AsyncExecutors.wrap(pool);
            hook = AsyncHooks.createHook(new AsyncHook.Callbacks() {
                @Override
                public void before(long asyncId) {
                }
            }).enable();
            scope = ASYNC_LOCAL.withScope(VALUE);
        }

        @TearDown
        public void leave() throws InterruptedException {
            scope.close();
            hook.disable();
            shutdown(pool);
        }
    }
}
