package io.grpc.override;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import dev.asynclocal.junit.DetectContextLeaks;
import io.grpc.Context;
import io.grpc.Deadline;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC's context in the asynclocal context, with this jar on the class path (the only override), no
 * transport involved: what follows asynclocal's hops, what a detach restores, and what happens on
 * the misuses gRPC's own storage complains about (never an exception into gRPC).
 */
@DetectContextLeaks
class ContextStorageOverrideTest {
    private static final Context.Key<String> KEY = Context.key("test");
    private static final AsyncLocalStorage<String> STORE = new AsyncLocalStorage<>("store");
    private static ExecutorService pool;
    private static ScheduledExecutorService scheduler;

    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger logger = Logger.getLogger("dev.asynclocal.grpc");

    @BeforeAll
    static void start() {
        pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        pool.shutdownNow();
        scheduler.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @BeforeEach
    void captureLog() {
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
        logger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        logger.removeHandler(capture);
        logger.setUseParentHandlers(true);
        logger.setLevel(null);
    }

    @Test
    void grpcUsesThisStorage() {
        Context.ROOT.withValue(KEY, "v").run(() -> {
            Snapshot captured = AsyncLocalStorage.snapshot();
            assertThat(captured.run(() -> KEY.get())).isEqualTo("v");
        });
        assertThat(Context.current()).isSameAs(Context.ROOT);
    }

    @Test
    void valuesDeadlinesAndCancellationFollowAsynclocalHops() throws Exception {
        Context.CancellableContext context = Context.current().withValue(KEY, "v")
                .withDeadline(Deadline.after(1, TimeUnit.MINUTES), scheduler);
        CountDownLatch cancelled = new CountDownLatch(1);
        try {
            Deadline deadline = context.call(() -> pool.submit(() -> {
                assertThat(KEY.get()).isEqualTo("v");
                Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
                return Context.current().getDeadline();
            }).get());
            assertThat(deadline).isSameAs(context.getDeadline());
        } finally {
            context.cancel(null);
        }
        assertThat(cancelled.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void detachRestoresTheWholeAsynclocalContext() {
        STORE.run("outer", () -> {
            Context context = Context.current().withValue(KEY, "v");
            Context previous = context.attach();
            try {
                STORE.enterWith("inner");
                assertThat(Context.current()).isSameAs(context);
            } finally {
                context.detach(previous);
            }
            assertThat(STORE.getStore()).isEqualTo("outer");
            assertThat(KEY.get()).isNull();
        });
    }

    @Test
    void nestedAttachesUnwindInOrder() {
        Context first = Context.ROOT.withValue(KEY, "1");
        Context second = first.withValue(KEY, "2");
        Context beforeFirst = first.attach();
        Context beforeSecond = second.attach();
        assertThat(KEY.get()).isEqualTo("2");
        second.detach(beforeSecond);
        assertThat(KEY.get()).isEqualTo("1");
        first.detach(beforeFirst);
        assertThat(Context.current()).isSameAs(Context.ROOT);
        assertThat(logged).isEmpty();
    }

    @Test
    void contextWrapCarriesGrpcsContextOnly() throws Exception {
        // Documented limit: Context.wrap restores gRPC's context, not the asynclocal stores of the
        // code that wrapped (the core has no way to enter a captured context without a callback).
        String[] seen = new String[2];
        Runnable wrapped = STORE.run("s", () -> Context.current().withValue(KEY, "v").call(
                () -> Context.current().wrap(() -> {
                    seen[0] = KEY.get();
                    seen[1] = STORE.getStore();
                })));
        Thread thread = new Thread(wrapped);
        thread.start();
        thread.join();
        assertThat(seen[0]).isEqualTo("v");
        assertThat(seen[1]).isNull();
    }

    @Test
    void aDetachWithAContextAttachDidNotReturnSetsThatContextAndWarnsOnce() {
        Context context = Context.ROOT.withValue(KEY, "v");
        Context foreign = Context.ROOT.withValue(KEY, "foreign");
        STORE.run("outer", () -> {
            context.attach();
            context.detach(foreign);
            assertThat(KEY.get()).isEqualTo("foreign");
            foreign.detach(Context.ROOT);
            assertThat(Context.current()).isSameAs(Context.ROOT);
            assertThat(STORE.getStore()).isEqualTo("outer");
        });
        assertThat(logged).hasSize(2).extracting(LogRecord::getMessage).allMatch(m -> m.contains("did not return"));
        // a warning the first time in the JVM (maybe another test's), debug lines after that
        assertThat(logged.get(1).getLevel()).isEqualTo(Level.FINE);
    }

    @Test
    void aDetachOnAnotherThreadIsRefusedWithoutAnExceptionAndChangesNothing() throws Exception {
        Context context = Context.ROOT.withValue(KEY, "v");
        Context previous = context.attach();
        try {
            Thread other = new Thread(() -> context.detach(previous));
            other.start();
            other.join();
            assertThat(KEY.get()).as("this thread keeps its context").isEqualTo("v");
            assertThat(logged).extracting(LogRecord::getMessage).anyMatch(m -> m.contains("refused"));
        } finally {
            context.detach(previous);
        }
        assertThat(Context.current()).isSameAs(Context.ROOT);
    }
}
