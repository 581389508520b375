package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncExecutors;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.ContextStorageProvider;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How OpenTelemetry picks its storage when this module is the only {@link ContextStorageProvider}
 * on the class path and no system property is set: ServiceLoader finds ours and OpenTelemetry
 * uses it as it is, with no wrapper. Runs in its own JVM (execution {@code storage-selection}),
 * without opentelemetry-sdk-testing.
 */
@SuppressWarnings("try")   // scopes are opened for their effect, never referenced
class StorageSelectionTest {
    @Test
    void serviceLoaderFindsExactlyThisProvider() {
        List<String> found = new ArrayList<>();
        for (ContextStorageProvider provider : ServiceLoader.load(ContextStorageProvider.class)) {
            found.add(provider.getClass().getName());
        }
        assertThat(found).containsExactly(AsyncLocalContextStorageProvider.CLASS_NAME);
        assertThat(AsyncLocalContextStorageProvider.class.getName()).isEqualTo(AsyncLocalContextStorageProvider.CLASS_NAME);
    }

    @Test
    void openTelemetryUsesItDirectly() throws Exception {
        assertThat(System.getProperty("io.opentelemetry.context.contextStorageProvider")).isNull();
        assertThat(ContextStorage.get()).isSameAs(AsyncLocalContextStorage.INSTANCE);
        assertThat(AsyncLocalContextStorageProvider.isActive()).isTrue();

        ContextKey<String> key = ContextKey.named("k");
        ExecutorService pool = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
        try (Scope ignored = Context.current().with(key, "v").makeCurrent()) {
            assertThat(pool.submit(() -> Context.current().get(key)).get(10, TimeUnit.SECONDS)).isEqualTo("v");
        } finally {
            pool.shutdownNow();
        }
    }
}
