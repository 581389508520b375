package dev.asynclocal.grpc;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where gRPC keeps its {@code io.grpc.Context} in this JVM, and whether it follows asynclocal.
 *
 * <p>gRPC keeps its context in a thread-local unless a class named {@value #OVERRIDE_CLASS} is on
 * the class path. Two jars make it live in the asynclocal context; use exactly one:
 * <ul>
 *   <li>{@code dev.asynclocal:asynclocal-grpc-context}, for applications without OpenTelemetry's;
 *   </li>
 *   <li>{@code io.grpc:grpc-context-override-opentelemetry}, which keeps gRPC's context in
 *       OpenTelemetry's, together with {@code asynclocal-opentelemetry}, whose storage provider keeps
 *       OpenTelemetry's in the asynclocal context. (OpenTelemetry's instrumentation library for
 *       gRPC ships a class of the same name, with the same effect.)</li>
 * </ul>
 * With either, a deadline or cancellation follows every hop asynclocal propagates. Without, the
 * interceptors of this package still carry the stores, but a task a handler hands to a pool does
 * not see the handler's deadline.
 * <pre>{@code
 * if (!GrpcContextStorage.isAsyncLocal()) {
 *     log.warn("gRPC deadlines do not follow asynclocal: {}", GrpcContextStorage.overrides());
 * }
 * }</pre>
 */
public final class GrpcContextStorage {
    /** The name gRPC loads its context storage by. */
    public static final String OVERRIDE_CLASS = "io.grpc.override.ContextStorageOverride";

    private static final io.grpc.Context.Key<Object> PROBE = io.grpc.Context.key("asynclocal-probe");
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private GrpcContextStorage() {
    }

    /**
     * Whether gRPC's current context is part of the asynclocal context in this JVM: attached, then
     * captured with {@link AsyncLocalStorage#snapshot()}, it is current again where the snapshot
     * runs. Makes gRPC choose its storage if it has not yet.
     *
     * @return {@code true} if deadlines and cancellation follow asynclocal propagation
     */
    public static boolean isAsyncLocal() {
        Object marker = new Object();
        io.grpc.Context probe = io.grpc.Context.current().withValue(PROBE, marker);
        Snapshot captured;
        io.grpc.Context previous = probe.attach();
        try {
            captured = AsyncLocalStorage.snapshot();
        } finally {
            probe.detach(previous);
        }
        // Run on this very thread: a thread-local storage would show the probe only if the detach
        // had failed, and then the answer is rightly no.
        return captured.run(() -> PROBE.get() == marker);
    }

    /**
     * The jars (or directories) on the class path that hold a class named {@value #OVERRIDE_CLASS},
     * in the order the class loader searches them: gRPC uses the first. More than one is a
     * mistake; the interceptors of this package log a warning once when they see it.
     *
     * @return the locations of the class file, possibly empty
     */
    public static List<URL> overrides() {
        ClassLoader loader = io.grpc.Context.class.getClassLoader();
        if (loader == null) {
            loader = ClassLoader.getSystemClassLoader();
        }
        try {
            return Collections.unmodifiableList(
                    new ArrayList<>(Collections.list(loader.getResources(OVERRIDE_CLASS.replace('.', '/') + ".class"))));
        } catch (IOException | RuntimeException e) {
            Log.debug(() -> "cannot list the " + OVERRIDE_CLASS + " classes on the class path", e);
            return List.of();
        }
    }

    static void warnIfSeveralOverrides() {
        if (!CHECKED.compareAndSet(false, true)) {
            return;
        }
        warnIfSeveral(overrides());
    }

    static boolean warnIfSeveral(List<URL> found) {
        if (found.size() < 2) {
            return false;
        }
        Log.warning("several " + OVERRIDE_CLASS + " classes on the class path; gRPC uses the first of " + found
                + ". Keep exactly one: asynclocal-grpc-context, or grpc-context-override-opentelemetry with"
                + " asynclocal-opentelemetry");
        return true;
    }
}
