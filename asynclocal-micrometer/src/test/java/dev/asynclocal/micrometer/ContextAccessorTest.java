package dev.asynclocal.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/** The whole-context accessor: every store at once, through ContextSnapshot and Reactor. */
@SuppressWarnings("try")
class ContextAccessorTest {
    static final AsyncLocalStorage<String> A = new AsyncLocalStorage<>("whole-a");
    static final AsyncLocalStorage<String> B = new AsyncLocalStorage<>("whole-b");

    static <R> R in(String a, String b, Supplier<R> fn) {
        return A.<R, RuntimeException>run(a, () -> B.<R, RuntimeException>run(b, fn::get));
    }

    @Test
    void aContextSnapshotCarriesEveryStoreAndLeavesThePoolThreadClean() throws Exception {
        ContextRegistry registry = new ContextRegistry();
        AsyncLocalContextAccessor.register(registry);
        ContextSnapshotFactory factory = ContextSnapshotFactory.builder().contextRegistry(registry).build();
        ContextSnapshot captured = in("a1", "b1", factory::captureAll);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            String seen = pool.submit(() -> {
                String inside;
                try (ContextSnapshot.Scope ignored = captured.setThreadLocals()) {
                    inside = A.getStore() + "/" + B.getStore();
                }
                return inside + " then " + A.getStore() + "/" + B.getStore() + " " + AsyncLocalStorage.snapshot();
            }).get(10, TimeUnit.SECONDS);
            assertThat(seen).isEqualTo("a1/b1 then null/null Snapshot[0 stores]");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reactorsAutomaticPropagationCarriesTheWholeContextOfTheSubscriber() {
        AsyncLocalContextAccessor.register();
        Hooks.enableAutomaticContextPropagation();
        try {
            List<String> seen = new CopyOnWriteArrayList<>();
            Snapshot request = in("a2", "b2", AsyncLocalStorage::snapshot);
            Flux.range(0, 20)
                    .publishOn(Schedulers.parallel())
                    .map(i -> A.getStore() + "/" + B.getStore())
                    .subscribeOn(Schedulers.boundedElastic())
                    .doOnNext(seen::add)
                    .contextWrite(Context.of(AsyncLocalContextAccessor.KEY, request))
                    .blockLast();
            assertThat(seen).hasSize(20).containsOnly("a2/b2");
            ConcurrentHashMap.KeySetView<String, Boolean> after = ConcurrentHashMap.newKeySet();
            Flux.range(0, 50).parallel().runOn(Schedulers.parallel())
                    .map(i -> String.valueOf(A.getStore())).doOnNext(after::add).sequential().blockLast();
            assertThat(after).containsOnly("null");
            String viaMono = in("a3", "b3", () -> Mono.delay(java.time.Duration.ofMillis(1))
                    .map(x -> A.getStore() + "/" + B.getStore())
                    .contextCapture()
                    .block());
            assertThat(viaMono).isEqualTo("a3/b3");
        } finally {
            Hooks.disableAutomaticContextPropagation();
            ContextRegistry.getInstance().removeThreadLocalAccessor(AsyncLocalContextAccessor.KEY);
        }
    }
}
