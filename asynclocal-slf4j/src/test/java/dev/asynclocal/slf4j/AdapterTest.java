package dev.asynclocal.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * How the MDC follows asynclocal contexts. Hops are bound by hand with
 * {@link AsyncLocalStorage#bind} and {@link Snapshot#wrap}; any propagating executor behaves the
 * same.
 */
class AdapterTest {
    private static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");
    private static final ExecutorService POOL = Executors.newSingleThreadExecutor();

    @AfterEach
    void cleanUp() throws Exception {
        MDC.clear();
        POOL.submit(MDC::clear).get();
    }

    @AfterAll
    static void shutdown() {
        POOL.shutdownNow();
    }

    @Test
    void putInsideRunEndsWithTheRun() {
        MDC.put("outer", "o");
        REQUEST.run("r1", () -> {
            MDC.put("requestId", "r1");
            MDC.remove("outer");
            assertThat(MDC.get("requestId")).isEqualTo("r1");
            assertThat(MDC.get("outer")).isNull();
        });
        assertThat(MDC.get("requestId")).isNull();
        assertThat(MDC.get("outer")).as("the remove inside the run ended with it").isEqualTo("o");
    }

    @Test
    void aRunSeesTheMdcOfItsCaller() {
        MDC.put("outer", "o");
        assertThat(REQUEST.run("r1", () -> MDC.get("outer"))).isEqualTo("o");
    }

    @Test
    void boundTaskSeesTheMdcOfItsBindAndTheSameMapObject() throws Exception {
        Future<Object[]> seen = REQUEST.run("r1", () -> {
            MDC.put("requestId", "r1");
            Map<String, String> here = MdcState.values();
            Callable<Object[]> task = AsyncLocalStorage.bind(
                    () -> new Object[] {MDC.get("requestId"), MdcState.values() == here});
            return POOL.submit(task);
        });
        Object[] result = seen.get(10, TimeUnit.SECONDS);
        assertThat(result[0]).isEqualTo("r1");
        assertThat(result[1]).as("the hop carried the map itself: no copy").isEqualTo(true);
    }

    @Test
    void aTaskBoundBeforeAPutDoesNotSeeIt() throws Exception {
        Future<String> early = REQUEST.run("r1", () -> {
            MDC.put("step", "1");
            Callable<String> task = AsyncLocalStorage.bind(() -> MDC.get("step"));
            MDC.put("step", "2");
            return POOL.submit(task);
        });
        assertThat(early.get(10, TimeUnit.SECONDS)).isEqualTo("1");
    }

    @Test
    void aPutInsideATaskDoesNotLeakToThePoolThread() throws Exception {
        REQUEST.run("r1", () -> POOL.submit(AsyncLocalStorage.bind(() -> {
            MDC.put("requestId", "r1");
            return null;
        })).get(10, TimeUnit.SECONDS));
        assertThat(POOL.submit(() -> MDC.get("requestId")).get(10, TimeUnit.SECONDS))
                .as("the next, unbound task on the same thread").isNull();
    }

    @Test
    void aPutOutsideAnyContextIsCarriedByWorkBoundAfterIt() throws Exception {
        MDC.put("app", "a");
        Callable<String> task = AsyncLocalStorage.bind(() -> MDC.get("app"));
        MDC.remove("app");
        assertThat(POOL.submit(task).get(10, TimeUnit.SECONDS)).isEqualTo("a");
        assertThat(POOL.submit(() -> MDC.get("app")).get(10, TimeUnit.SECONDS))
                .as("plain work on another thread never sees it").isNull();
    }

    @Test
    void snapshotRunRestoresTheCallersMdc() {
        Snapshot requestContext = REQUEST.run("r1", () -> {
            MDC.put("requestId", "r1");
            return AsyncLocalStorage.snapshot();
        });
        MDC.put("requestId", "caller");
        AtomicReference<String> inside = new AtomicReference<>();
        requestContext.run(() -> {
            inside.set(MDC.get("requestId"));
            MDC.put("requestId", "changed inside");
        });
        assertThat(inside.get()).isEqualTo("r1");
        assertThat(MDC.get("requestId")).isEqualTo("caller");
        assertThat(requestContext.run(() -> MDC.get("requestId")))
                .as("a snapshot is immutable").isEqualTo("r1");
    }

    @Test
    void withScopeEndsAMdcChangeOnClose() {
        try (AsyncLocalStorage.Scope ignored = REQUEST.withScope("r1")) {
            MDC.put("requestId", "r1");
            assertThat(MDC.get("requestId")).isEqualTo("r1");
        }
        assertThat(MDC.get("requestId")).isNull();
    }

    @Test
    void nestedRunsStackTheirChanges() {
        REQUEST.run("outer", () -> {
            MDC.put("a", "1");
            REQUEST.run("inner", () -> {
                MDC.put("a", "2");
                MDC.put("b", "2");
                assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("a", "2", "b", "2"));
            });
            assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("a", "1"));
        });
    }

    @Test
    void clearAndSetContextMapAreScopedToo() {
        MDC.put("a", "1");
        REQUEST.run("r1", () -> {
            MDC.clear();
            assertThat(MDC.getCopyOfContextMap()).isNull();
            MDC.setContextMap(Map.of("x", "y"));
            assertThat(MDC.get("x")).isEqualTo("y");
        });
        assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("a", "1"));
    }

    @Test
    void dequesFollowTheContextToo() throws Exception {
        Future<String> seen = REQUEST.run("r1", () -> {
            MDC.pushByKey("path", "a");
            MDC.pushByKey("path", "b");
            return POOL.submit(AsyncLocalStorage.bind(() -> String.join("/", MDC.getMDCAdapter().getCopyOfDequeByKey("path"))));
        });
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("b/a");
        assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("path")).isNull();
        assertThat(MDC.popByKey("path")).as("popping an empty stack").isNull();
    }

    @Test
    void aMapHandedToABackendNeverChangesAfterwards() {
        MDC.put("a", "1");
        Map<String, String> handedOver = MdcState.values();
        MDC.put("a", "2");
        MDC.put("b", "3");
        MDC.clear();
        assertThat(handedOver).isEqualTo(Map.of("a", "1"));
    }

    @Test
    void aPutOfTheSameValueKeepsTheSameMap() {
        MDC.put("a", "1");
        Map<String, String> before = MdcState.values();
        MDC.put("a", "1");
        assertThat(MdcState.values()).isSameAs(before);
    }
}
