package dev.asynclocal.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.opentelemetry.AsyncLocalContextStorageProvider;
import io.grpc.Context;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which storage gRPC picked in this test JVM: the build runs this class in three JVMs whose class
 * paths differ only by the override jar ({@code grpc.storage} names the set-up), and checks that
 * exactly the expected class is there and that {@link GrpcContextStorage#isAsyncLocal()} tells the
 * truth about it, checked independently through a pool hop.
 */
class StorageSetupTest {
    private static final String SETUP = System.getProperty("grpc.storage", "asynclocal");
    private static final Context.Key<String> KEY = Context.key("test");

    @Test
    void exactlyTheExpectedOverrideIsOnTheClassPath() {
        List<URL> overrides = GrpcContextStorage.overrides();
        switch (SETUP) {
            case "asynclocal" -> assertThat(overrides).singleElement().asString().contains("asynclocal-grpc-context");
            case "opentelemetry" -> assertThat(overrides).singleElement().asString()
                    .contains("grpc-context-override-opentelemetry");
            case "thread-local" -> assertThat(overrides).isEmpty();
            default -> throw new AssertionError("unknown set-up " + SETUP);
        }
    }

    @Test
    void isAsyncLocalTellsWhetherGrpcsContextFollowsAPoolHop() throws Exception {
        ExecutorService pool = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
        try {
            String seen = Context.current().withValue(KEY, "v").call(() -> pool.submit(() -> KEY.get()).get());

            boolean follows = "v".equals(seen);
            assertThat(GrpcContextStorage.isAsyncLocal()).isEqualTo(follows).isEqualTo(!SETUP.equals("thread-local"));
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void severalOverridesAreAWarningNamingThem() throws Exception {
        List<URL> two = List.of(URI.create("file:/a/asynclocal-grpc-context.jar").toURL(), URI.create("file:/b/other.jar").toURL());
        try (JulCapture log = new JulCapture(Log.NAME)) {
            assertThat(GrpcContextStorage.warnIfSeveral(two.subList(0, 1))).isFalse();
            assertThat(GrpcContextStorage.warnIfSeveral(two)).isTrue();
            assertThat(log.aboveDebug()).singleElement().satisfies(record -> assertThat(record.getMessage())
                    .contains("file:/a/asynclocal-grpc-context.jar").contains("file:/b/other.jar").contains("exactly one"));
        }
    }

    @Test
    void openTelemetrysContextIsAsyncLocalInEverySetup() {
        // the OpenTelemetry override relies on it; the others do not mind
        assertThat(AsyncLocalContextStorageProvider.isActive()).isTrue();
    }

    @Test
    void isAsyncLocalLeavesTheContextAsItWas() {
        Context.current().withValue(KEY, "outer").run(() -> {
            GrpcContextStorage.isAsyncLocal();
            assertThat(KEY.get()).isEqualTo("outer");
        });
        assertThat(KEY.get()).isNull();
    }
}
