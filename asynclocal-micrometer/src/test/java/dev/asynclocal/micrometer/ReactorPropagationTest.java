package dev.asynclocal.micrometer;

import static dev.asynclocal.micrometer.AccessorContractTest.in;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import io.micrometer.context.ContextRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The real reactor-core with {@code Hooks.enableAutomaticContextPropagation()}: a store set before
 * {@code subscribe} is visible in operators that run on Reactor's scheduler threads, which know
 * nothing of asynclocal; concurrent subscriptions never see each other's values; and the
 * scheduler threads keep nothing afterwards.
 */
class ReactorPropagationTest {
    private static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    @BeforeAll
    static void enable() {
        AsyncLocalThreadLocalAccessor.register("reactor-test.user", USER);
        Hooks.enableAutomaticContextPropagation();
    }

    @AfterAll
    static void disable() {
        Hooks.disableAutomaticContextPropagation();
        ContextRegistry.getInstance().removeThreadLocalAccessor("reactor-test.user");
    }

    private static String where() {
        return USER.getStore() + "@" + Thread.currentThread().getName().replaceAll("-\\d+$", "");
    }

    @Test
    void visibleInMapAfterPublishOnParallel() {
        String seen = in(USER, "alice", () -> Mono.just(1)
                .publishOn(Schedulers.parallel())
                .map(i -> where())
                .block(Duration.ofSeconds(10)));
        assertThat(seen).isEqualTo("alice@parallel");
    }

    @Test
    void visibleInMapAfterSubscribeOnBoundedElastic() {
        String seen = in(USER, "bob", () -> Mono.fromCallable(ReactorPropagationTest::where)
                .subscribeOn(Schedulers.boundedElastic())
                .map(s -> s + "," + where())
                .block(Duration.ofSeconds(10)));
        assertThat(seen).isEqualTo("bob@boundedElastic,bob@boundedElastic");
    }

    /** With subscribe() rather than block(), contextCapture() takes the values along. */
    @Test
    void subscribeWithContextCaptureOnEveryElement() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        USER.run("carol", () -> Flux.range(0, 20)
                .subscribeOn(Schedulers.boundedElastic())
                .map(i -> where())
                .publishOn(Schedulers.parallel())
                .map(s -> s + "," + where())
                .contextCapture()
                .doFinally(signal -> done.countDown())
                .subscribe(seen::add));
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).hasSize(20).containsOnly("carol@boundedElastic,carol@parallel");
    }

    /** The value travels in Reactor's Context under the accessor's key. */
    @Test
    void theValueIsInTheReactorContext() {
        String seen = in(USER, "dan", () -> Mono.deferContextual(ctx -> Mono.just(ctx.<String>get("reactor-test.user")))
                .contextCapture()
                .block(Duration.ofSeconds(10)));
        assertThat(seen).isEqualTo("dan");
    }

    /** A value put into the Reactor Context directly becomes the store inside operators. */
    @Test
    void aValueWrittenIntoTheReactorContextBecomesTheStore() {
        String seen = Mono.just(1)
                .publishOn(Schedulers.parallel())
                .handle((i, sink) -> sink.next(where()))
                .contextWrite(ctx -> ctx.put("reactor-test.user", "erin"))
                .cast(String.class)
                .block(Duration.ofSeconds(10));
        assertThat(seen).isEqualTo("erin@parallel");
    }

    /**
     * 64 subscriptions at once, from 8 threads, each with its own value, through subscribeOn and
     * publishOn on the shared schedulers: every element of every subscription sees its own value.
     */
    @Test
    void concurrentSubscriptionsNeverSwapValues() throws Exception {
        int subscriptions = 64;
        int elements = 50;
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<List<String>>> results = new ArrayList<>();
            for (int s = 0; s < subscriptions; s++) {
                String user = "user-" + s;
                results.add(CompletableFuture.supplyAsync(() -> in(USER, user, () -> Flux.range(0, elements)
                        .subscribeOn(Schedulers.boundedElastic())
                        .map(i -> USER.getStore() + "#" + i)
                        .publishOn(Schedulers.parallel())
                        .map(s2 -> s2 + "#" + USER.getStore())
                        .contextCapture()
                        .collectList()
                        .toFuture()), callers).thenCompose(f -> f));
            }
            for (int s = 0; s < subscriptions; s++) {
                List<String> got = results.get(s).get(20, TimeUnit.SECONDS);
                assertThat(got).hasSize(elements);
                for (int i = 0; i < elements; i++) {
                    assertThat(got.get(i)).isEqualTo("user-" + s + "#" + i + "#user-" + s);
                }
            }
        } finally {
            callers.shutdownNow();
        }
        assertSchedulerThreadsAreClean();
    }

    /**
     * What the scheduler threads hold between tasks. Checked with automatic propagation off, so
     * that Reactor does not open a scope of its own around the probe (with it on, Reactor clears
     * the store for the probe's duration, which shows as an entry holding nothing).
     */
    private static void assertSchedulerThreadsAreClean() throws InterruptedException {
        Hooks.disableAutomaticContextPropagation();
        try {
            List<String> seen = new CopyOnWriteArrayList<>();
            CountDownLatch probes = new CountDownLatch(32);
            for (int i = 0; i < 16; i++) {
                for (var scheduler : List.of(Schedulers.parallel(), Schedulers.boundedElastic())) {
                    scheduler.schedule(() -> {
                        seen.add(USER.getStore() + " " + AsyncLocalStorage.snapshot());
                        probes.countDown();
                    });
                }
            }
            assertThat(probes.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).hasSize(32).containsOnly("null Snapshot[0 stores]");
        } finally {
            Hooks.enableAutomaticContextPropagation();
        }
    }
}
