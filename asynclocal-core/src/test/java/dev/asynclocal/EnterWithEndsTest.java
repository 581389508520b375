package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code enterWith} made inside any construct that runs code in a context is never visible once
 * that construct returns: the caller's context (two instances, one of them untouched by the
 * construct) is exactly what it was, whether the body returns or throws. The constructs:
 * {@code run}, {@code exit}, {@code Snapshot.run}, {@code Snapshot.wrap},
 * {@code AsyncLocalStorage.bind}, {@code AsyncResource.runInAsyncScope}, {@code AsyncResource.bind},
 * and a task of {@code AsyncExecutors.wrap} run by a direct executor on the caller's thread.
 */
class EnterWithEndsTest {
    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>("ends");
    private final AsyncLocalStorage<String> other = new AsyncLocalStorage<>("ends-other");

    private Map<String, Consumer<Runnable>> constructs() {
        Map<String, Consumer<Runnable>> c = new LinkedHashMap<>();
        c.put("run", body -> als.run("run", body));
        c.put("exit", body -> als.exit(body));
        c.put("Snapshot.run", body -> als.run("captured", () -> AsyncLocalStorage.snapshot()).run(body));
        c.put("Snapshot.wrap", body -> als.run("captured", () -> AsyncLocalStorage.snapshot()).wrap(body).run());
        c.put("AsyncLocalStorage.bind", body -> als.run("bound", () -> AsyncLocalStorage.bind(body)).run());
        c.put("AsyncResource.runInAsyncScope", body -> new AsyncResource("Ends").runInAsyncScope(body));
        c.put("AsyncResource.bind", body -> AsyncResource.bind(body, "Ends").run());
        c.put("a wrapped task run on the caller's thread",
                body -> AsyncExecutors.wrap((Executor) Runnable::run).execute(body));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> enterWithInsideEndsWithTheConstruct() {
        return constructs().entrySet().stream().flatMap(e -> Stream.of(
                DynamicTest.dynamicTest(e.getKey() + ", body returns", () -> check(e.getValue(), false)),
                DynamicTest.dynamicTest(e.getKey() + ", body throws", () -> check(e.getValue(), true))));
    }

    private void check(Consumer<Runnable> construct, boolean throwing) throws Exception {
        TestSupport.onNewThread(() -> {
            als.enterWith("caller");
            other.enterWith("caller-other");
            RuntimeException failure = new IllegalStateException("body failed");
            try {
                construct.accept(() -> {
                    als.enterWith("entered inside");
                    other.enterWith("entered inside");
                    if (throwing) {
                        throw failure;
                    }
                });
            } catch (IllegalStateException e) {
                assertThat(e).isSameAs(failure);
            }
            assertThat(als.getStore() + "/" + other.getStore()).isEqualTo("caller/caller-other");
            assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        });
    }
}
