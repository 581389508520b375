package dev.asynclocal.examples.migration;

import com.alibaba.ttl.TransmittableThreadLocal;
import com.alibaba.ttl.threadpool.TtlExecutors;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The "before" side of docs/migration.md, compiled against the real libraries (test scope): what
 * the same work looks like with TransmittableThreadLocal, OpenTelemetry's {@code Context} and a
 * plain {@code ThreadLocal}. {@code MigrationTest} runs each and checks it does what the page says.
 */
final class BeforeExamples {
    private BeforeExamples() {
    }

    static final class Ttl {
        // snippet:start before-ttl
        static final TransmittableThreadLocal<String> USER = new TransmittableThreadLocal<>();
        static final ExecutorService POOL = TtlExecutors.getTtlExecutorService(Executors.newFixedThreadPool(4));

        static Future<String> handle(String user) {
            USER.set(user);
            try {
                return POOL.submit(() -> "audited " + USER.get());
            } finally {
                USER.remove();                      // or the next request on this thread sees it
            }
        }
        // snippet:end before-ttl
    }

    static final class OpenTelemetry {
        // snippet:start before-otel
        static final ContextKey<String> USER = ContextKey.named("user");
        static final Executor POOL = Context.taskWrapping(Executors.newFixedThreadPool(4));

        static void handle(String user, java.util.function.Consumer<String> audit) {
            try (Scope ignored = Context.current().with(USER, user).makeCurrent()) {
                POOL.execute(() -> audit.accept("audited " + Context.current().get(USER)));
            }
        }
        // snippet:end before-otel
    }

    static final class CopiedThreadLocal {
        // snippet:start before-threadlocal
        static final ThreadLocal<String> USER = new ThreadLocal<>();
        static final ExecutorService POOL = Executors.newFixedThreadPool(4);

        static Future<String> handle(String user) {
            USER.set(user);
            try {
                String copied = USER.get();         // copy by hand at every hand-off ...
                return POOL.submit(() -> {
                    USER.set(copied);               // ... set it on the other side ...
                    try {
                        return "audited " + USER.get();
                    } finally {
                        USER.remove();              // ... and clean up, or the pool thread keeps it
                    }
                });
            } finally {
                USER.remove();
            }
        }
        // snippet:end before-threadlocal
    }
}
