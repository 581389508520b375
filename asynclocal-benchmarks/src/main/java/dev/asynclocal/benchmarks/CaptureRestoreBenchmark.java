package dev.asynclocal.benchmarks;

import static dev.asynclocal.benchmarks.Values.VALUE;

import com.alibaba.ttl.TransmittableThreadLocal;
import com.alibaba.ttl.TtlRunnable;
import dev.asynclocal.AsyncLocalStorage;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Group 3, capture + restore: with {@code variables} values current, capture the context into a
 * wrapped {@code Runnable} and run it at once on the same thread (install the captured context, run,
 * put the caller's back). The task reads the first variable, so a wrapper that does not propagate
 * returns {@code null}. This is the per-hop cost every executor wrapper pays, without the executor.
 *
 * <p>The {@code threadLocal} floor is propagation written by hand over plain thread-locals: copy
 * each value at capture, set and reset each at run. ScopedValue has no capture outside structured
 * concurrency, so it has no row here.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CaptureRestoreBenchmark {

    @Benchmark
    public Object threadLocal(ThreadLocals s) {
        HandWritten.wrap(s.locals, s.task).run();
        return s.read;
    }

    @Benchmark
    public Object ttl(Ttl s) {
        TtlRunnable.get(s.task).run();
        return s.read;
    }

    @Benchmark
    public Object micrometer(Micrometer s) {
        s.factory.captureAll().wrap(s.task).run();
        return s.read;
    }

    @Benchmark
    public Object openTelemetry(OpenTelemetry s) {
        Context.current().wrap(s.task).run();
        return s.read;
    }

    @Benchmark
    public Object grpc(Grpc s) {
        io.grpc.Context.current().wrap(s.task).run();
        return s.read;
    }

    @Benchmark
    public Object asyncLocal(AsyncLocal s) {
        AsyncLocalStorage.bind(s.task).run();
        return s.read;
    }

    // The escaping form: the wrapper is handed to a Blackhole before it runs, as it is when it is
    // handed to an executor, so the JIT cannot scalar-replace it and skip the allocation. This is
    // what users pay per hop; the rows above show what is left when the JIT can remove the wrapper.

    @Benchmark
    public Object threadLocalEscaping(ThreadLocals s, Blackhole hole) {
        Runnable wrapped = HandWritten.wrap(s.locals, s.task);
        hole.consume(wrapped);
        wrapped.run();
        return s.read;
    }

    @Benchmark
    public Object ttlEscaping(Ttl s, Blackhole hole) {
        Runnable wrapped = TtlRunnable.get(s.task);
        hole.consume(wrapped);
        wrapped.run();
        return s.read;
    }

    @Benchmark
    public Object micrometerEscaping(Micrometer s, Blackhole hole) {
        Runnable wrapped = s.factory.captureAll().wrap(s.task);
        hole.consume(wrapped);
        wrapped.run();
        return s.read;
    }

    @Benchmark
    public Object openTelemetryEscaping(OpenTelemetry s, Blackhole hole) {
        Runnable wrapped = Context.current().wrap(s.task);
        hole.consume(wrapped);
        wrapped.run();
        return s.read;
    }

    @Benchmark
    public Object grpcEscaping(Grpc s, Blackhole hole) {
        Runnable wrapped = io.grpc.Context.current().wrap(s.task);
        hole.consume(wrapped);
        wrapped.run();
        return s.read;
    }

    @Benchmark
    public Object asyncLocalEscaping(AsyncLocal s, Blackhole hole) {
        Runnable wrapped = AsyncLocalStorage.bind(s.task);
        hole.consume(wrapped);
        wrapped.run();
        return s.read;
    }

    /** Propagation written by hand over plain thread-locals: the floor of the group. */
    static final class HandWritten {
        private HandWritten() {
        }

        static Runnable wrap(ThreadLocal<Object>[] locals, Runnable task) {
            Object[] captured = new Object[locals.length];
            for (int i = 0; i < locals.length; i++) {
                captured[i] = locals[i].get();
            }
            return () -> {
                Object[] saved = new Object[locals.length];
                for (int i = 0; i < locals.length; i++) {
                    saved[i] = locals[i].get();
                    locals[i].set(captured[i]);
                }
                try {
                    task.run();
                } finally {
                    for (int i = 0; i < locals.length; i++) {
                        locals[i].set(saved[i]);
                    }
                }
            };
        }
    }

    @State(Scope.Thread)
    public static class ThreadLocals {
        @Param({"1", "10", "100"})
        public int variables;
        ThreadLocal<Object>[] locals;
        ThreadLocal<Object> first;
        Object read;
        final Runnable task = () -> read = first.get();

        @Setup
        @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation in Java
        public void enter() {
            locals = new ThreadLocal[variables];
            for (int i = 0; i < variables; i++) {
                locals[i] = new ThreadLocal<>();
                locals[i].set(VALUE);
            }
            first = locals[0];
        }

        @TearDown
        public void leave() {
            for (ThreadLocal<Object> local : locals) {
                local.remove();
            }
        }
    }

    @State(Scope.Thread)
    public static class Ttl {
        @Param({"1", "10", "100"})
        public int variables;
        final List<TransmittableThreadLocal<Object>> locals = new ArrayList<>();
        TransmittableThreadLocal<Object> first;
        Object read;
        final Runnable task = () -> read = first.get();

        @Setup
        public void enter() {
            for (int i = 0; i < variables; i++) {
                TransmittableThreadLocal<Object> local = new TransmittableThreadLocal<>();
                local.set(VALUE);
                locals.add(local);
            }
            first = locals.get(0);
        }

        @TearDown
        public void leave() {
            locals.forEach(TransmittableThreadLocal::remove);
            locals.clear();
        }
    }

    @State(Scope.Thread)
    public static class Micrometer {
        @Param({"1", "10", "100"})
        public int variables;
        final List<ThreadLocal<Object>> locals = new ArrayList<>();
        ContextSnapshotFactory factory;
        ThreadLocal<Object> first;
        Object read;
        final Runnable task = () -> read = first.get();

        @Setup
        public void enter() {
            // A registry of our own, not the global one, so that only these accessors are captured.
            ContextRegistry registry = new ContextRegistry();
            for (int i = 0; i < variables; i++) {
                ThreadLocal<Object> local = new ThreadLocal<>();
                local.set(VALUE);
                locals.add(local);
                registry.registerThreadLocalAccessor("v" + i, local);
            }
            factory = ContextSnapshotFactory.builder().contextRegistry(registry).build();
            first = locals.get(0);
        }

        @TearDown
        public void leave() {
            locals.forEach(ThreadLocal::remove);
            locals.clear();
        }
    }

    @State(Scope.Thread)
    public static class OpenTelemetry {
        @Param({"1", "10", "100"})
        public int variables;
        final List<ContextKey<Object>> keys = new ArrayList<>();
        io.opentelemetry.context.Scope scope;
        ContextKey<Object> first;
        Object read;
        final Runnable task = () -> read = Context.current().get(first);

        @Setup
        public void enter() {
            Context context = Context.current();
            for (int i = 0; i < variables; i++) {
                ContextKey<Object> key = ContextKey.named("v" + i);
                keys.add(key);
                context = context.with(key, VALUE);
            }
            scope = context.makeCurrent();
            first = keys.get(0);
        }

        @TearDown
        public void leave() {
            scope.close();
            keys.clear();
        }
    }

    @State(Scope.Thread)
    public static class Grpc {
        @Param({"1", "10", "100"})
        public int variables;
        final List<io.grpc.Context.Key<Object>> keys = new ArrayList<>();
        io.grpc.Context context;
        io.grpc.Context previous;
        io.grpc.Context.Key<Object> first;
        Object read;
        final Runnable task = () -> read = first.get();

        @Setup
        public void enter() {
            io.grpc.Context context = io.grpc.Context.current();
            for (int i = 0; i < variables; i++) {
                io.grpc.Context.Key<Object> key = io.grpc.Context.key("v" + i);
                keys.add(key);
                context = context.withValue(key, VALUE);
            }
            this.context = context;
            previous = context.attach();
            first = keys.get(0);
        }

        @TearDown
        public void leave() {
            context.detach(previous);
            keys.clear();
        }
    }

    @State(Scope.Thread)
    public static class AsyncLocal {
        @Param({"1", "10", "100"})
        public int variables;
        final List<AsyncLocalStorage<Object>> instances = new ArrayList<>();
        final List<AsyncLocalStorage.Scope> scopes = new ArrayList<>();
        AsyncLocalStorage<Object> first;
        Object read;
        final Runnable task = () -> read = first.getStore();

        @Setup
        public void enter() {
            for (int i = 0; i < variables; i++) {
                AsyncLocalStorage<Object> instance = new AsyncLocalStorage<>("v" + i);
                instances.add(instance);
                scopes.add(instance.withScope(VALUE));
            }
            first = instances.get(0);
        }

        @TearDown
        public void leave() {
            // innermost first: strict mode (on in the project's tests) refuses any other order
            for (int i = scopes.size() - 1; i >= 0; i--) {
                scopes.get(i).close();
            }
            scopes.clear();
            instances.clear();
        }
    }
}
