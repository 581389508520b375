package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without the agent, nothing propagates into new threads or I/O callbacks by itself (so nothing
 * leaks into them either); the explicit ways do: {@link AsyncLocalStorage#bind(CompletionHandler)}
 * and {@link AsyncExecutors#inheritingThreadFactory}.
 */
class WrapperModeHandOffsTest {
    static final AsyncLocalStorage<String> STORE = new AsyncLocalStorage<>("hand-offs");

    static <V> CompletionHandler<V, Void> recording(List<String> seen, CompletableFuture<Void> done) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V result, Void attachment) {
                seen.add("completed:" + STORE.getStore());
                done.complete(null);
            }

            @Override
            public void failed(Throwable exc, Void attachment) {
                seen.add("failed:" + STORE.getStore());
                done.complete(null);
            }
        };
    }

    @Test
    void aBoundCompletionHandlerRunsInTheContextOfItsOperation(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "data");
        try (AsynchronousFileChannel channel = AsynchronousFileChannel.open(file, StandardOpenOption.READ)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> bound = new CompletableFuture<>();
            STORE.run("op", () -> channel.read(ByteBuffer.allocate(8), 0, null,
                    AsyncLocalStorage.bind(recording(seen, bound))));
            bound.get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> unbound = new CompletableFuture<>();
            STORE.run("op", () -> channel.read(ByteBuffer.allocate(8), 0, null, recording(seen, unbound)));
            unbound.get(10, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("completed:op", "completed:null");
        }
    }

    @Test
    void bothMethodsOfABoundHandlerRestoreTheCallersContext() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ignored = new CompletableFuture<>();
        CompletionHandler<String, Void> handler = STORE.run("bound", () -> AsyncLocalStorage.bind(recording(seen, ignored)));
        STORE.run("caller", () -> {
            handler.completed("x", null);
            assertThat(STORE.getStore()).isEqualTo("caller");
            handler.failed(new RuntimeException(), null);
            assertThat(STORE.getStore()).isEqualTo("caller");
        });
        assertThat(seen).containsExactly("completed:bound", "failed:bound");
        assertThat(handler.toString()).isEqualTo(ignoredToString(handler));
        assertThatThrownBy(() -> AsyncLocalStorage.bind((CompletionHandler<String, Void>) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("handler");
    }

    private static String ignoredToString(CompletionHandler<?, ?> handler) {
        return handler.toString();
    }

    @Test
    void aPlainNewThreadInheritsNothingWithoutTheAgent() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>("not run");
        Thread thread = new Thread(() -> seen.set(STORE.getStore()));
        STORE.run("starter", thread::start);
        thread.join(10_000);
        assertThat(seen.get()).isNull();
    }

    @Test
    void anInheritingThreadFactoryGivesEachThreadTheContextWhereItWasMade() throws Exception {
        ThreadFactory factory = AsyncExecutors.inheritingThreadFactory(Thread::new);
        AtomicReference<String> seen = new AtomicReference<>("not run");
        Thread made = STORE.run("maker", () -> factory.newThread(() -> {
            seen.set(STORE.getStore());
            STORE.enterWith("changed inside");
        }));
        STORE.run("starter", made::start);
        made.join(10_000);
        assertThat(seen.get()).isEqualTo("maker");

        Thread outside = factory.newThread(() -> seen.set(STORE.getStore()));
        STORE.run("starter", outside::start);
        outside.join(10_000);
        assertThat(seen.get()).isNull();

        assertThatThrownBy(() -> AsyncExecutors.inheritingThreadFactory(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("factory");
        assertThatThrownBy(() -> factory.newThread(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("runnable");
    }
}
