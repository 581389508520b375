package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncResource;
import dev.asynclocal.agent.Kit.Event;
import dev.asynclocal.agent.Kit.Recorder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What the shared scenarios do not cover for plain {@code CompletableFuture} under the agent: the
 * default executor, {@code runAsync}/{@code completeAsync}, delayed executors, timeouts seen by
 * hooks, and {@code AsyncCompletableFuture} running under the agent without double capture.
 */
class CompletableFutureIT {
    @Test
    void theAsyncFactoriesRunInTheCallersContext() throws Exception {
        assertThat(get(STORE.run("supply", () -> CompletableFuture.supplyAsync(STORE::getStore)))).isEqualTo("supply");
        AtomicReference<String> ran = new AtomicReference<>();
        get(STORE.run("run", () -> CompletableFuture.runAsync(() -> ran.set(STORE.getStore()))));
        assertThat(ran.get()).isEqualTo("run");
        CompletableFuture<String> completed = new CompletableFuture<>();
        STORE.run("completeAsync", () -> completed.completeAsync(STORE::getStore));
        assertThat(get(completed)).isEqualTo("completeAsync");
        assertThat(get(CompletableFuture.supplyAsync(STORE::getStore))).isNull();
    }

    @Test
    void delayedExecutorsRunTheTaskInTheContextItWasGivenIn() throws Exception {
        Executor delayed = CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS);
        AtomicReference<String> seen = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        STORE.run("delayed", () -> delayed.execute(() -> {
            seen.set(STORE.getStore());
            ran.countDown();
        }));
        Kit.await(ran);
        assertThat(seen.get()).isEqualTo("delayed");
        assertThat(get(STORE.run("delayed-supply", () -> CompletableFuture.supplyAsync(STORE::getStore, delayed))))
                .isEqualTo("delayed-supply");
    }

    @Test
    void timeoutsAreNotResourcesOfTheirOwn() throws Exception {
        try (Recorder recorder = new Recorder().enable()) {
            AsyncResource caller = new AsyncResource("Caller");
            CompletableFuture<String> f = new CompletableFuture<>();
            caller.runInAsyncScope(() -> f.orTimeout(1, TimeUnit.MILLISECONDS));
            Kit.awaitTrue(f::isDone, "the timeout");
            CompletableFuture<String> g = new CompletableFuture<>();
            caller.runInAsyncScope(() -> g.completeOnTimeout("x", 1, TimeUnit.MILLISECONDS));
            assertThat(get(g)).isEqualTo("x");
            assertThat(recorder.all()).noneMatch(e -> e.kind.equals("init") && e.triggerAsyncId == caller.asyncId());
        }
    }

    @Test
    void asyncCompletableFutureUnderTheAgentIsOneResourcePerStage() throws Exception {
        try (Recorder recorder = new Recorder().enable()) {
            AsyncResource registrar = new AsyncResource("Registrar");
            AsyncCompletableFuture<String> f = new AsyncCompletableFuture<>();
            CompletableFuture<String> stage = registrar.runInAsyncScope(() -> f.thenApplyAsync(v -> v + STORE.getStore()));
            CompletableFuture<String> stored = STORE.run("reg", () -> f.thenApply(v -> v + STORE.getStore()));
            f.complete("v");
            assertThat(get(stage)).isEqualTo("vnull");
            assertThat(get(stored)).isEqualTo("vreg");
            Event init = recorder.onlyInit("CompletableFuture", registrar.asyncId());
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "promiseResolve", "destroy");
        }
    }

    @Test
    void aDependentRunByTheCompleterRestoresTheCompletersContext() throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        CompletableFuture<String> unbound = f.thenApply(v -> {
            STORE.enterWith("set by a stage registered outside any context");
            return String.valueOf(STORE.getStore());
        });
        STORE.run("completer", () -> {
            f.complete("v");
            assertThat(STORE.getStore()).isEqualTo("completer");
        });
        assertThat(get(unbound)).isEqualTo("set by a stage registered outside any context");
    }
}
