package dev.asynclocal.micrometer;

import static dev.asynclocal.micrometer.AccessorContractTest.in;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Registration through {@code ServiceLoader}: a subclass with a no-argument constructor, listed in
 * {@code META-INF/services/io.micrometer.context.ThreadLocalAccessor} (here in the test
 * resources), is in the global registry without any code calling {@code register}.
 */
class ServiceLoadedAccessorTest {
    static final AsyncLocalStorage<String> TENANT = new AsyncLocalStorage<>("tenant");

    /** What an application writes: one line of constructor. */
    public static final class TenantAccessor extends AsyncLocalThreadLocalAccessor<String> {
        public TenantAccessor() {
            super("service-loaded.tenant", TENANT);
        }
    }

    @Test
    void theGlobalRegistryLoadedIt() throws Exception {
        assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
                .anySatisfy(accessor -> assertThat(accessor).isInstanceOf(TenantAccessor.class));

        ContextSnapshot snapshot = in(TENANT, "acme", () -> ContextSnapshotFactory.builder().build().captureAll());
        ExecutorService plain = Executors.newSingleThreadExecutor();
        try {
            assertThat(plain.submit(snapshot.wrap(TENANT::getStore)).get(10, TimeUnit.SECONDS)).isEqualTo("acme");
        } finally {
            plain.shutdownNow();
        }
    }
}
