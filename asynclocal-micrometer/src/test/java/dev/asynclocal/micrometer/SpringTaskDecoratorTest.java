package dev.asynclocal.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import io.micrometer.context.ContextRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * Spring's {@link ContextPropagatingTaskDecorator} (spring-core), which captures every
 * thread-local the global {@link ContextRegistry} knows when a task is submitted: with the
 * accessor registered, it carries asynclocal stores to the executor's threads, and the threads
 * keep nothing afterwards.
 */
class SpringTaskDecoratorTest {
    private static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    @BeforeAll
    static void register() {
        AsyncLocalThreadLocalAccessor.register("spring-test.user", USER);
    }

    @AfterAll
    static void unregister() {
        ContextRegistry.getInstance().removeThreadLocalAccessor("spring-test.user");
    }

    @Test
    void aDecoratedTaskSeesTheSubmittersStoreAndThePoolThreadStaysClean() throws Exception {
        ContextPropagatingTaskDecorator decorator = new ContextPropagatingTaskDecorator();
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<String> seen = new CompletableFuture<>();
            USER.run("alice", () -> single.execute(decorator.decorate(() -> seen.complete(USER.getStore()))));
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("alice");
            String after = single.submit(() -> USER.getStore() + " " + AsyncLocalStorage.snapshot()).get(10, TimeUnit.SECONDS);
            assertThat(after).isEqualTo("null Snapshot[0 stores]");
        } finally {
            single.shutdownNow();
        }
    }

    @Test
    void withSpringsOwnExecutor() throws Exception {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("spring-");
        executor.setTaskDecorator(new ContextPropagatingTaskDecorator());
        CompletableFuture<String> seen = new CompletableFuture<>();
        USER.run("bob", () -> executor.execute(() -> seen.complete(USER.getStore() + "@" + Thread.currentThread().getName())));
        assertThat(seen.get(10, TimeUnit.SECONDS)).matches("bob@spring-\\d+");
    }
}
