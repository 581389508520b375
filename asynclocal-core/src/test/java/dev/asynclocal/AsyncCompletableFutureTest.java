package dev.asynclocal;

import static dev.asynclocal.PropagationTestKit.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.PropagationTestKit.Event;
import dev.asynclocal.PropagationTestKit.Recorder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link AsyncCompletableFuture}: every callback runs in the context where it was registered,
 * never where the future was completed (Node's {@code .then} rule), for every stage method in all
 * its forms; the completing thread gets its own context back; and hooks see each registered
 * callback as one {@code "CompletableFuture"} resource.
 *
 * <p>The pattern of most tests: register in context {@code "registered"}, complete the future
 * from another thread running in context {@code "completer"}, and check what the callback saw.
 */
class AsyncCompletableFutureTest {
    static final AsyncLocalStorage<String> STORE = new AsyncLocalStorage<>("store");
    static final String EXECUTOR_OWN = "executor-own";

    private final List<ExecutorService> toShutDown = new CopyOnWriteArrayList<>();
    private final List<Recorder> recorders = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Recorder recorder : recorders) {
            recorder.disable();
        }
        for (ExecutorService executor : toShutDown) {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    private Recorder recorder() {
        Recorder recorder = new Recorder();
        recorders.add(recorder);
        return recorder.enable();
    }

    /** A plain (not propagating) pool whose threads have a context of their own. */
    private ExecutorService rawPool() {
        ExecutorService pool = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                AsyncExecutorsTest.threadsWithOwnContext(EXECUTOR_OWN));
        toShutDown.add(pool);
        return pool;
    }

    /** Completes {@code future} from a new thread running in context "completer". */
    static void completeFromAnotherContext(CompletableFuture<String> future, Throwable failure) throws Exception {
        String after = PropagationTestKit.onNewThread("completer", () -> STORE.run("completer", () -> {
            if (failure == null) {
                future.complete("v");
            } else {
                future.completeExceptionally(failure);
            }
            return STORE.getStore();
        }));
        assertThat(after).as("the completer's own context after completing").isEqualTo("completer");
    }

    static void awaitQuietly(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | CancellationException e) {
            // the outcome is checked by the caller where it matters
        } catch (TimeoutException e) {
            throw new AssertionError("stage did not complete", e);
        }
    }

    // ------------------------------------------------------------------ the stage table

    /**
     * One stage method: registers a callback on {@code source} that calls {@code probe}. The
     * {@code executor} is used by the {@code *Async(.., Executor)} forms.
     */
    @FunctionalInterface
    interface StageMethod {
        CompletableFuture<?> register(AsyncCompletableFuture<String> source, Runnable probe, Executor executor);
    }

    /** A stage method, and whether its callback runs on failure (else on success). */
    static final class Case {
        final String name;
        final boolean onFailure;
        final StageMethod method;

        Case(String name, boolean onFailure, StageMethod method) {
            this.name = name;
            this.onFailure = onFailure;
            this.method = method;
        }

        @Override
        public String toString() {
            return name + (onFailure ? " (on failure)" : "");
        }
    }

    static <T> T probed(Runnable probe, T result) {
        probe.run();
        return result;
    }

    static List<Case> stageMethods() {
        CompletableFuture<String> done = CompletableFuture.completedFuture("other");
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("thenApply", false, (s, p, e) -> s.thenApply(v -> probed(p, v))));
        cases.add(new Case("thenApplyAsync", false, (s, p, e) -> s.thenApplyAsync(v -> probed(p, v))));
        cases.add(new Case("thenApplyAsync(executor)", false, (s, p, e) -> s.thenApplyAsync(v -> probed(p, v), e)));
        cases.add(new Case("thenAccept", false, (s, p, e) -> s.thenAccept(v -> p.run())));
        cases.add(new Case("thenAcceptAsync", false, (s, p, e) -> s.thenAcceptAsync(v -> p.run())));
        cases.add(new Case("thenAcceptAsync(executor)", false, (s, p, e) -> s.thenAcceptAsync(v -> p.run(), e)));
        cases.add(new Case("thenRun", false, (s, p, e) -> s.thenRun(p)));
        cases.add(new Case("thenRunAsync", false, (s, p, e) -> s.thenRunAsync(p)));
        cases.add(new Case("thenRunAsync(executor)", false, (s, p, e) -> s.thenRunAsync(p, e)));
        BiFunction<String, String, String> combine = (a, b) -> a + b;
        cases.add(new Case("thenCombine", false, (s, p, e) -> s.thenCombine(done, (a, b) -> probed(p, a + b))));
        cases.add(new Case("thenCombineAsync", false,
                (s, p, e) -> s.thenCombineAsync(done, (a, b) -> probed(p, combine.apply(a, b)))));
        cases.add(new Case("thenCombineAsync(executor)", false,
                (s, p, e) -> s.thenCombineAsync(done, (a, b) -> probed(p, a + b), e)));
        cases.add(new Case("thenAcceptBoth", false, (s, p, e) -> s.thenAcceptBoth(done, (a, b) -> p.run())));
        cases.add(new Case("thenAcceptBothAsync", false, (s, p, e) -> s.thenAcceptBothAsync(done, (a, b) -> p.run())));
        cases.add(new Case("thenAcceptBothAsync(executor)", false,
                (s, p, e) -> s.thenAcceptBothAsync(done, (a, b) -> p.run(), e)));
        cases.add(new Case("runAfterBoth", false, (s, p, e) -> s.runAfterBoth(done, p)));
        cases.add(new Case("runAfterBothAsync", false, (s, p, e) -> s.runAfterBothAsync(done, p)));
        cases.add(new Case("runAfterBothAsync(executor)", false, (s, p, e) -> s.runAfterBothAsync(done, p, e)));
        // For the either-forms the other future never completes: only the source triggers.
        cases.add(new Case("applyToEither", false,
                (s, p, e) -> s.applyToEither(new CompletableFuture<>(), v -> probed(p, v))));
        cases.add(new Case("applyToEitherAsync", false,
                (s, p, e) -> s.applyToEitherAsync(new CompletableFuture<>(), v -> probed(p, v))));
        cases.add(new Case("applyToEitherAsync(executor)", false,
                (s, p, e) -> s.applyToEitherAsync(new CompletableFuture<>(), v -> probed(p, v), e)));
        cases.add(new Case("acceptEither", false, (s, p, e) -> s.acceptEither(new CompletableFuture<>(), v -> p.run())));
        cases.add(new Case("acceptEitherAsync", false,
                (s, p, e) -> s.acceptEitherAsync(new CompletableFuture<>(), v -> p.run())));
        cases.add(new Case("acceptEitherAsync(executor)", false,
                (s, p, e) -> s.acceptEitherAsync(new CompletableFuture<>(), v -> p.run(), e)));
        cases.add(new Case("runAfterEither", false, (s, p, e) -> s.runAfterEither(new CompletableFuture<>(), p)));
        cases.add(new Case("runAfterEitherAsync", false,
                (s, p, e) -> s.runAfterEitherAsync(new CompletableFuture<>(), p)));
        cases.add(new Case("runAfterEitherAsync(executor)", false,
                (s, p, e) -> s.runAfterEitherAsync(new CompletableFuture<>(), p, e)));
        cases.add(new Case("thenCompose", false,
                (s, p, e) -> s.thenCompose(v -> probed(p, CompletableFuture.completedFuture(v)))));
        cases.add(new Case("thenComposeAsync", false,
                (s, p, e) -> s.thenComposeAsync(v -> probed(p, CompletableFuture.completedFuture(v)))));
        cases.add(new Case("thenComposeAsync(executor)", false,
                (s, p, e) -> s.thenComposeAsync(v -> probed(p, CompletableFuture.completedFuture(v)), e)));
        for (boolean onFailure : new boolean[] {false, true}) {
            cases.add(new Case("handle", onFailure, (s, p, e) -> s.handle((v, x) -> probed(p, v))));
            cases.add(new Case("handleAsync", onFailure, (s, p, e) -> s.handleAsync((v, x) -> probed(p, v))));
            cases.add(new Case("handleAsync(executor)", onFailure, (s, p, e) -> s.handleAsync((v, x) -> probed(p, v), e)));
            cases.add(new Case("whenComplete", onFailure, (s, p, e) -> s.whenComplete((v, x) -> p.run())));
            cases.add(new Case("whenCompleteAsync", onFailure, (s, p, e) -> s.whenCompleteAsync((v, x) -> p.run())));
            cases.add(new Case("whenCompleteAsync(executor)", onFailure,
                    (s, p, e) -> s.whenCompleteAsync((v, x) -> p.run(), e)));
        }
        cases.add(new Case("exceptionally", true, (s, p, e) -> s.exceptionally(x -> probed(p, "recovered"))));
        cases.add(new Case("exceptionallyAsync", true, (s, p, e) -> s.exceptionallyAsync(x -> probed(p, "recovered"))));
        cases.add(new Case("exceptionallyAsync(executor)", true,
                (s, p, e) -> s.exceptionallyAsync(x -> probed(p, "recovered"), e)));
        cases.add(new Case("exceptionallyCompose", true,
                (s, p, e) -> s.exceptionallyCompose(x -> probed(p, CompletableFuture.completedFuture("recovered")))));
        cases.add(new Case("exceptionallyComposeAsync", true,
                (s, p, e) -> s.exceptionallyComposeAsync(x -> probed(p, CompletableFuture.completedFuture("recovered")))));
        cases.add(new Case("exceptionallyComposeAsync(executor)", true,
                (s, p, e) -> s.exceptionallyComposeAsync(
                        x -> probed(p, CompletableFuture.completedFuture("recovered")), e)));
        return cases;
    }

    @Test
    void theTableCoversEveryCallbackMethodOfCompletionStage() {
        List<String> names = new ArrayList<>();
        for (Case c : stageMethods()) {
            names.add(c.name.replace("(executor)", ""));
        }
        for (java.lang.reflect.Method m : CompletionStage.class.getMethods()) {
            boolean takesCallback = Stream.of(m.getParameterTypes()).anyMatch(t -> t.getPackageName()
                    .equals("java.util.function") || t == Runnable.class);
            if (takesCallback) {
                assertThat(names).as("stage method %s", m).contains(m.getName());
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyStageRunsInItsRegistrationContextNotTheCompleters() {
        return stageMethods().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Executor executor = rawPool();
            AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
            Queue<String> seen = new ConcurrentLinkedQueue<>();
            Runnable probe = () -> {
                seen.add(String.valueOf(STORE.getStore()));
                STORE.enterWith("changed by the callback"); // must end with the callback
            };
            CompletableFuture<?> dependent = STORE.run("registered", () -> c.method.register(source, probe, executor));
            assertThat(dependent).isInstanceOf(AsyncCompletableFuture.class);
            completeFromAnotherContext(source, c.onFailure ? new IOException("failed") : null);
            awaitQuietly(dependent);
            assertThat(seen).containsExactly("registered");
            assertThat(STORE.getStore()).isNull();
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyStageOnACompletedFutureRunsInItsRegistrationContext() {
        return stageMethods().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Executor executor = rawPool();
            AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
            completeFromAnotherContext(source, c.onFailure ? new IOException("failed") : null);
            Queue<String> seen = new ConcurrentLinkedQueue<>();
            Runnable probe = () -> {
                seen.add(String.valueOf(STORE.getStore()));
                STORE.enterWith("changed by the callback");
            };
            STORE.run("registered", () -> {
                CompletableFuture<?> dependent = c.method.register(source, probe, executor);
                assertThat(STORE.getStore()).isEqualTo("registered");
                awaitQuietly(dependent);
                return null;
            });
            assertThat(seen).containsExactly("registered");
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyStageIsOneCompletableFutureResource() {
        return stageMethods().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Executor executor = rawPool();
            AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
            Recorder recorder = recorder();
            try {
                AsyncResource registrar = new AsyncResource("Registrar");
                Queue<long[]> idsInside = new ConcurrentLinkedQueue<>();
                AtomicReference<Object> resourceInside = new AtomicReference<>();
                Runnable probe = () -> {
                    idsInside.add(new long[] {AsyncHooks.executionAsyncId(), AsyncHooks.triggerAsyncId()});
                    resourceInside.set(AsyncHooks.executionAsyncResource());
                };
                CompletableFuture<?> dependent = registrar.runInAsyncScope(() -> c.method.register(source, probe, executor));
                completeFromAnotherContext(source, c.onFailure ? new IOException("failed") : null);
                awaitQuietly(dependent);
                Event init = recorder.onlyInit("CompletableFuture");
                assertThat(init.triggerAsyncId).isEqualTo(registrar.asyncId());
                assertThat(idsInside).hasSize(1);
                assertThat(idsInside.peek()).containsExactly(init.asyncId, registrar.asyncId());
                assertThat(resourceInside.get()).isSameAs(init.resource);
                recorder.awaitDestroy(init.asyncId);
                assertThat(recorder.kinds(init.asyncId))
                        .containsExactly("init", "before", "after", "promiseResolve", "destroy");
            } finally {
                recorder.disable();
            }
        }));
    }

    // ------------------------------------------------------------------ Node's chain rules

    @Test
    void aChainBuiltInOnePassSharesTheRegistrationContext() throws Exception {
        // node-semantics.md 2.5 rule 4: b sees X although a called enterWith.
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        AtomicReference<String> seenByB = new AtomicReference<>();
        CompletableFuture<String> end = STORE.run("X", () -> source
                .thenApply(v -> {
                    STORE.enterWith("Y");
                    return v;
                })
                .thenApply(v -> {
                    seenByB.set(STORE.getStore());
                    return v;
                }));
        completeFromAnotherContext(source, null);
        assertThat(end.get()).isEqualTo("v");
        assertThat(seenByB.get()).isEqualTo("X");
    }

    @Test
    void createdInAResolvedInBRegisteredInCRunsInC() throws Exception {
        // node-semantics.md 2.5 rule 2.
        AsyncCompletableFuture<String> future = STORE.run("A", () -> new AsyncCompletableFuture<String>());
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<Void> stage = STORE.run("C", () -> future.thenAccept(v -> seen.set(STORE.getStore())));
        STORE.run("B", () -> future.complete("v"));
        stage.get();
        assertThat(seen.get()).isEqualTo("C");

        // Registered outside any context, resolved inside run("R"): the callback sees nothing.
        AsyncCompletableFuture<String> other = new AsyncCompletableFuture<>();
        AtomicReference<String> seenOutside = new AtomicReference<>("not run");
        CompletableFuture<Void> outside = other.thenAccept(v -> seenOutside.set(STORE.getStore()));
        STORE.run("R", () -> other.complete("v"));
        outside.get();
        assertThat(seenOutside.get()).isNull();
    }

    @Test
    void whenTheOtherFutureCompletesLastTheCallbackStillSeesTheRegistrationContext() throws Exception {
        AsyncCompletableFuture<String> source = AsyncCompletableFuture.completedFuture("s");
        CompletableFuture<String> other = new CompletableFuture<>();
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<String> both = STORE.run("registered", () -> source.thenCombine(other, (a, b) -> {
            seen.set(STORE.getStore());
            return a + b;
        }));
        completeFromAnotherContext(other, null);
        assertThat(both.get()).isEqualTo("sv");
        assertThat(seen.get()).isEqualTo("registered");
    }

    @Test
    void thenComposeRunsItsFunctionInTheRegistrationContextAndFollowsTheReturnedStage() throws Exception {
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        CompletableFuture<String> inner = new CompletableFuture<>();
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<String> composed = STORE.run("registered", () -> source.thenCompose(v -> {
            seen.set(STORE.getStore());
            return inner;
        }));
        completeFromAnotherContext(source, null);
        assertThat(composed.isDone()).isFalse();
        inner.complete("inner");
        assertThat(composed.get()).isEqualTo("inner");
        assertThat(seen.get()).isEqualTo("registered");
    }

    // ------------------------------------------------------------------ completion paths

    @Test
    void exceptionsAndCancellationReachTheCallbacksInTheirContext() throws Exception {
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        CompletableFuture<String> handled = STORE.run("registered", () -> source.handle((v, x) -> {
            seen.add(STORE.getStore() + ":" + x.getClass().getSimpleName());
            return "handled";
        }));
        CompletableFuture<String> applied = STORE.run("registered", () -> source.thenApply(v -> {
            seen.add("thenApply must not run");
            return v;
        }));
        String completerAfter = PropagationTestKit.onNewThread("canceller",
                () -> STORE.run("completer", () -> {
                    source.cancel(true);
                    return STORE.getStore();
                }));
        assertThat(completerAfter).isEqualTo("completer");
        assertThat(handled.get()).isEqualTo("handled");
        assertThat(seen).containsExactly("registered:CancellationException");
        // As with a plain CompletableFuture: the dependent fails with the cancellation as cause.
        assertThatThrownBy(applied::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(CancellationException.class);
        assertThat(source.isCancelled()).isTrue();
    }

    @Test
    void aThrowingCallbackFailsItsStageAndRestoresTheCompleter() throws Exception {
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        IllegalStateException failure = new IllegalStateException("callback failed");
        CompletableFuture<String> failing = STORE.run("registered", () -> source.thenApply(v -> {
            STORE.enterWith("half-way");
            throw failure;
        }));
        AtomicReference<String> recoveredIn = new AtomicReference<>();
        CompletableFuture<String> recovered = STORE.run("recovery", () -> failing.exceptionally(x -> {
            recoveredIn.set(STORE.getStore());
            return x.getCause() == failure ? "recovered" : "wrong cause " + x;
        }));
        completeFromAnotherContext(source, null);
        assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class).cause().isSameAs(failure);
        assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class).cause().isSameAs(failure);
        assertThat(recovered.get()).isEqualTo("recovered");
        assertThat(recoveredIn.get()).isEqualTo("recovery");
    }

    @Test
    void anInterruptedSupplierStillSeesItsContext() throws Exception {
        ExecutorService pool = rawPool();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> seenWhenInterrupted = new AtomicReference<>();
        AsyncCompletableFuture<String> future = STORE.run("supplier", () -> AsyncCompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                return "not interrupted";
            } catch (InterruptedException e) {
                seenWhenInterrupted.set(STORE.getStore());
                throw new CompletionException(e);
            }
        }, pool));
        assertThat(started.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        pool.shutdownNow();
        assertThatThrownBy(() -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InterruptedException.class);
        assertThat(seenWhenInterrupted.get()).isEqualTo("supplier");
    }

    @Test
    void orTimeoutCompletesInTheTimerButCallbacksSeeTheirRegistrationContext() throws Exception {
        Recorder recorder = recorder();
        AsyncCompletableFuture<String> never = new AsyncCompletableFuture<>();
        AtomicReference<String> seen = new AtomicReference<>();
        AsyncCompletableFuture<String> timedOut = STORE.run("registered", () -> never.orTimeout(10, TimeUnit.MILLISECONDS)
                .exceptionally(x -> {
                    seen.set(STORE.getStore() + ":" + x.getClass().getSimpleName());
                    return "timed out";
                }));
        assertThat(timedOut.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("timed out");
        assertThat(seen.get()).isEqualTo("registered:TimeoutException");
        // The timer's own canceller (registered by orTimeout) is plumbing, not a stage.
        assertThat(recorder.inits("CompletableFuture")).hasSize(1);
        assertThat(never.orTimeout(1, TimeUnit.SECONDS)).isSameAs(never);
    }

    @Test
    void completeOnTimeoutCompletesWithTheValueAndCallbacksSeeTheirContext() throws Exception {
        AsyncCompletableFuture<String> never = new AsyncCompletableFuture<>();
        AtomicReference<String> seen = new AtomicReference<>();
        AsyncCompletableFuture<String> result = STORE.run("registered", () -> never
                .completeOnTimeout("default", 10, TimeUnit.MILLISECONDS)
                .thenApply(v -> {
                    seen.set(STORE.getStore());
                    return v;
                }));
        assertThat(result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("default");
        assertThat(seen.get()).isEqualTo("registered");
    }

    @Test
    void rejectedAsyncStagesFailTheirStageAndReleaseTheResource() throws Exception {
        Executor rejecting = r -> {
            throw new RejectedExecutionException("no");
        };
        Recorder recorder = recorder();
        AsyncCompletableFuture<String> done = AsyncCompletableFuture.completedFuture("v");
        CompletableFuture<String> stage = done.thenApplyAsync(v -> v, rejecting);
        assertThatThrownBy(stage::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(RejectedExecutionException.class);
        Event stageInit = recorder.onlyInit("CompletableFuture");
        recorder.awaitDestroy(stageInit.asyncId);
        assertThat(recorder.kinds(stageInit.asyncId)).containsExactly("init", "promiseResolve", "destroy");

        // supplyAsync hands the task to the executor at once: the rejection is thrown, as by
        // CompletableFuture.supplyAsync, and the resource is released.
        assertThatThrownBy(() -> AsyncCompletableFuture.supplyAsync(() -> "x", rejecting))
                .isInstanceOf(RejectedExecutionException.class);
        List<Event> inits = recorder.inits("CompletableFuture");
        assertThat(inits).hasSize(2);
        recorder.awaitDestroy(inits.get(1).asyncId);
        assertThat(recorder.kinds(inits.get(1).asyncId)).containsExactly("init", "destroy");
    }

    // ------------------------------------------------------------------ hooks, other paths

    @Test
    void aStageWhoseCallbackNeverRunsIsInitPromiseResolveDestroy() throws Exception {
        Recorder recorder = recorder();
        AsyncCompletableFuture<String> failed = AsyncCompletableFuture.failedFuture(new IOException("x"));
        CompletableFuture<String> skipped = failed.thenApply(v -> v);
        assertThatThrownBy(skipped::join).isInstanceOf(CompletionException.class);
        long id = recorder.onlyInit("CompletableFuture").asyncId;
        recorder.awaitDestroy(id);
        assertThat(recorder.kinds(id)).containsExactly("init", "promiseResolve", "destroy");

        AsyncCompletableFuture<String> pending = new AsyncCompletableFuture<>();
        CompletableFuture<String> cancelledFirst = pending.thenApply(v -> v);
        assertThat(cancelledFirst.cancel(false)).isTrue();
        pending.complete("late");
        long second = recorder.inits("CompletableFuture").get(1).asyncId;
        recorder.awaitDestroy(second);
        assertThat(recorder.kinds(second)).containsExactly("init", "promiseResolve", "destroy");
    }

    @Test
    void supplyAsyncIsAResourceWhoseFutureResolves() throws Exception {
        Recorder recorder = recorder();
        AsyncResource caller = new AsyncResource("Caller");
        AtomicReference<Long> idInside = new AtomicReference<>();
        AsyncCompletableFuture<String> future = caller.runInAsyncScope(() -> AsyncCompletableFuture.supplyAsync(() -> {
            idInside.set(AsyncHooks.executionAsyncId());
            return "supplied";
        }, rawPool()));
        assertThat(future.get()).isEqualTo("supplied");
        Event init = recorder.onlyInit("CompletableFuture");
        assertThat(init.triggerAsyncId).isEqualTo(caller.asyncId());
        assertThat(idInside.get()).isEqualTo(init.asyncId);
        recorder.awaitDestroy(init.asyncId);
        assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "promiseResolve", "destroy");
    }

    @Test
    void stagesRegisteredBeforeAHookWasEnabledEmitNothing() throws Exception {
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        CompletableFuture<Long> stage = source.thenApply(v -> AsyncHooks.executionAsyncId());
        Recorder recorder = recorder();
        source.complete("v");
        assertThat(stage.get()).isEqualTo(1L);
        assertThat(recorder.inits("CompletableFuture")).isEmpty();
        assertThat(recorder.all()).noneMatch(e -> e.kind.equals("before") || e.kind.equals("promiseResolve"));
    }

    @Test
    void withoutHooksStagesTouchNoIds() throws Exception {
        AsyncResource completerScope = new AsyncResource("CompleterScope");
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        CompletableFuture<Long> stage = source.thenApply(v -> AsyncHooks.executionAsyncId());
        completerScope.runInAsyncScope(() -> source.complete("v"));
        assertThat(stage.get()).isEqualTo(completerScope.asyncId());
    }

    // ------------------------------------------------------------------ factories and plumbing

    @Test
    void staticFactoriesPropagate() throws Exception {
        ExecutorService pool = rawPool();
        assertThat(STORE.run("supply", () -> AsyncCompletableFuture.supplyAsync(STORE::getStore)).get())
                .isEqualTo("supply");
        assertThat(STORE.run("supply-on", () -> AsyncCompletableFuture.supplyAsync(STORE::getStore, pool)).get())
                .isEqualTo("supply-on");
        AtomicReference<String> seen = new AtomicReference<>();
        STORE.run("run", () -> AsyncCompletableFuture.runAsync(() -> seen.set(STORE.getStore()))).get();
        assertThat(seen.get()).isEqualTo("run");
        STORE.run("run-on", () -> AsyncCompletableFuture.runAsync(() -> seen.set(STORE.getStore()), pool)).get();
        assertThat(seen.get()).isEqualTo("run-on");
        AsyncCompletableFuture<String> target = new AsyncCompletableFuture<>();
        assertThat(STORE.run("complete-async", () -> target.completeAsync(STORE::getStore)).get())
                .isEqualTo("complete-async");
        AsyncCompletableFuture<String> target2 = new AsyncCompletableFuture<>();
        assertThat(STORE.run("complete-async-on", () -> target2.completeAsync(STORE::getStore, pool)).get())
                .isEqualTo("complete-async-on");

        IOException failure = new IOException("supplier failed");
        AsyncCompletableFuture<String> failing = AsyncCompletableFuture.supplyAsync(() -> {
            throw new CompletionException(failure);
        });
        assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class).cause().isSameAs(failure);
    }

    @Test
    void everyFutureInAChainPropagates() throws Exception {
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        assertThat(source.newIncompleteFuture()).isInstanceOf(AsyncCompletableFuture.class);
        assertThat(source.toCompletableFuture()).isSameAs(source);
        assertThat(AsyncCompletableFuture.completedFuture("c")).isInstanceOf(AsyncCompletableFuture.class);
        assertThat(AsyncCompletableFuture.failedFuture(new IOException())).isInstanceOf(AsyncCompletableFuture.class);
        assertThat(AsyncCompletableFuture.allOf(source)).isInstanceOf(AsyncCompletableFuture.class);
        assertThat(AsyncCompletableFuture.anyOf(source)).isInstanceOf(AsyncCompletableFuture.class);

        // A chain of plain-typed calls keeps propagating several hops down.
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<String> end = STORE.run("deep", () -> {
            CompletableFuture<String> f = source;
            for (int i = 0; i < 5; i++) {
                f = f.thenApply(v -> v + ".");
            }
            return f.whenComplete((v, x) -> seen.set(STORE.getStore()));
        });
        assertThat(end).isInstanceOf(AsyncCompletableFuture.class);
        completeFromAnotherContext(source, null);
        assertThat(end.get()).isEqualTo("v.....");
        assertThat(seen.get()).isEqualTo("deep");
    }

    @Test
    void defaultExecutorPropagates() throws Exception {
        Executor executor = new AsyncCompletableFuture<String>().defaultExecutor();
        assertThat(AsyncExecutors.wrap(executor)).isSameAs(executor);
        CompletableFuture<String> seen = new CompletableFuture<>();
        STORE.run("default", () -> executor.execute(() -> seen.complete(STORE.getStore())));
        assertThat(seen.get()).isEqualTo("default");
    }

    @Test
    void delayedExecutorsPropagate() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        STORE.run("delayed", () -> AsyncCompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS)
                .execute(() -> seen.complete(STORE.getStore())));
        assertThat(seen.get()).isEqualTo("delayed");
        CompletableFuture<String> seenOnPool = new CompletableFuture<>();
        STORE.run("delayed-on", () -> AsyncCompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS, rawPool())
                .execute(() -> seenOnPool.complete(STORE.getStore())));
        assertThat(seenOnPool.get()).isEqualTo("delayed-on");
    }

    @Test
    void copyIsAPropagatingFutureWithTheSameOutcome() throws Exception {
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        AsyncCompletableFuture<String> copy = source.copy();
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<String> stage = STORE.run("registered", () -> copy.thenApply(v -> {
            seen.set(STORE.getStore());
            return v;
        }));
        completeFromAnotherContext(source, null);
        assertThat(stage.get()).isEqualTo("v");
        assertThat(copy.get()).isEqualTo("v");
        assertThat(seen.get()).isEqualTo("registered");

        IOException failure = new IOException("failed");
        AsyncCompletableFuture<String> failedCopy = AsyncCompletableFuture.<String>failedFuture(failure).copy();
        assertThatThrownBy(failedCopy::join).isInstanceOf(CompletionException.class).cause().isSameAs(failure);
        AsyncCompletableFuture<String> independent = new AsyncCompletableFuture<>();
        AsyncCompletableFuture<String> independentCopy = independent.copy();
        independentCopy.complete("only the copy");
        assertThat(independent.isDone()).isFalse();
    }

    @Test
    void minimalCompletionStagePropagatesAndCannotBeCompleted() throws Exception {
        AsyncCompletableFuture<String> source = new AsyncCompletableFuture<>();
        CompletionStage<String> minimal = source.minimalCompletionStage();
        CompletableFuture<String> asFuture = minimal.toCompletableFuture();
        assertThat(asFuture).isInstanceOf(AsyncCompletableFuture.class);
        AtomicReference<String> seen = new AtomicReference<>();
        CompletionStage<String> stage = STORE.run("registered", () -> minimal.thenApply(v -> {
            seen.set(STORE.getStore());
            return v + "!";
        }));
        CompletableFuture<String> minimalAsFuture = (CompletableFuture<String>) minimal;
        assertThatThrownBy(() -> minimalAsFuture.complete("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> minimalAsFuture.completeExceptionally(new IOException()))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> minimalAsFuture.cancel(true)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(minimalAsFuture::get).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(minimalAsFuture::join).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> minimalAsFuture.getNow("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(minimalAsFuture::isDone).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> minimalAsFuture.obtrudeValue("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> minimalAsFuture.orTimeout(1, TimeUnit.SECONDS))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> minimalAsFuture.completeAsync(() -> "x"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((CompletableFuture<String>) stage).complete("x"))
                .isInstanceOf(UnsupportedOperationException.class);

        completeFromAnotherContext(source, null);
        assertThat(stage.toCompletableFuture().get()).isEqualTo("v!");
        assertThat(asFuture.get()).isEqualTo("v");
        assertThat(seen.get()).isEqualTo("registered");

        IOException failure = new IOException("failed");
        CompletionStage<String> failedMinimal = AsyncCompletableFuture.<String>failedFuture(failure)
                .minimalCompletionStage();
        assertThatThrownBy(() -> failedMinimal.toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).cause().isSameAs(failure);
    }

    @Test
    void completedAndFailedStagesAreMinimalAndPropagate() throws Exception {
        CompletionStage<String> completed = AsyncCompletableFuture.completedStage("c");
        AtomicReference<String> seen = new AtomicReference<>();
        CompletionStage<String> stage = STORE.run("registered", () -> completed.thenApply(v -> {
            seen.set(STORE.getStore());
            return v;
        }));
        assertThat(stage.toCompletableFuture().get()).isEqualTo("c");
        assertThat(seen.get()).isEqualTo("registered");
        assertThatThrownBy(() -> ((CompletableFuture<String>) completed).join())
                .isInstanceOf(UnsupportedOperationException.class);
        IOException failure = new IOException("f");
        CompletionStage<String> failed = AsyncCompletableFuture.failedStage(failure);
        assertThatThrownBy(() -> failed.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
                .cause().isSameAs(failure);
    }

    @Test
    void fromAdaptsAnyStage() throws Exception {
        CompletableFuture<String> plain = new CompletableFuture<>();
        AsyncCompletableFuture<String> adapted = AsyncCompletableFuture.from(plain);
        AtomicReference<String> seen = new AtomicReference<>();
        CompletableFuture<String> stage = STORE.run("registered", () -> adapted.thenApply(v -> {
            seen.set(STORE.getStore());
            return v;
        }));
        completeFromAnotherContext(plain, null);
        assertThat(stage.get()).isEqualTo("v");
        assertThat(seen.get()).isEqualTo("registered");

        AsyncCompletableFuture<String> already = new AsyncCompletableFuture<>();
        assertThat(AsyncCompletableFuture.from(already)).isSameAs(already);

        CompletionStage<String> minimal = already.minimalCompletionStage();
        AsyncCompletableFuture<String> fromMinimal = AsyncCompletableFuture.from(minimal);
        assertThat(fromMinimal).isNotSameAs(minimal);
        already.complete("m");
        assertThat(fromMinimal.get()).isEqualTo("m");

        IOException failure = new IOException("plain failed");
        CompletableFuture<String> failedPlain = CompletableFuture.failedFuture(failure);
        assertThatThrownBy(() -> AsyncCompletableFuture.from(failedPlain).join())
                .isInstanceOf(CompletionException.class).cause().isSameAs(failure);
        CompletableFuture<String> cancelledPlain = new CompletableFuture<>();
        cancelledPlain.cancel(false);
        assertThat(AsyncCompletableFuture.from(cancelledPlain).isCancelled()).isTrue();
    }

    @Test
    void nullArguments() {
        AsyncCompletableFuture<String> f = new AsyncCompletableFuture<>();
        assertThatThrownBy(() -> f.thenApply(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> f.thenAccept(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("action");
        assertThatThrownBy(() -> f.thenRun(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("action");
        assertThatThrownBy(() -> f.thenCombine(null, (a, b) -> a)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("other");
        assertThatThrownBy(() -> f.thenApplyAsync(v -> v, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("executor");
        assertThatThrownBy(() -> f.whenComplete(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.exceptionally(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AsyncCompletableFuture.supplyAsync(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("supplier");
        assertThatThrownBy(() -> AsyncCompletableFuture.runAsync(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("runnable");
        assertThatThrownBy(() -> AsyncCompletableFuture.supplyAsync(() -> 1, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("executor");
        assertThatThrownBy(() -> AsyncCompletableFuture.from(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("stage");
        assertThatThrownBy(() -> AsyncCompletableFuture.failedFuture(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.orTimeout(1, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void nullArgumentsEmitNoHookEvents() {
        Recorder recorder = recorder();
        AsyncCompletableFuture<String> f = new AsyncCompletableFuture<>();
        assertThatThrownBy(() -> f.thenCombine(null, (a, b) -> a)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> f.thenApplyAsync(v -> v, null)).isInstanceOf(NullPointerException.class);
        assertThat(recorder.inits("CompletableFuture")).isEmpty();
    }

    @Test
    void nullArgumentsAreNamedInParameterOrderAndCaptureNothing() {
        Recorder recorder = recorder();
        AsyncCompletableFuture<String> f = new AsyncCompletableFuture<>();
        Executor executor = Runnable::run;
        assertThatThrownBy(() -> f.thenCombineAsync(null, null, null)).hasMessageContaining("other");
        assertThatThrownBy(() -> f.runAfterEitherAsync(f, null, null)).hasMessageContaining("executor");
        assertThatThrownBy(() -> f.thenAcceptBothAsync(f, null, executor)).hasMessageContaining("action");
        assertThatThrownBy(() -> f.handleAsync(null, null)).hasMessageContaining("executor");
        assertThatThrownBy(() -> f.handleAsync(null, executor)).hasMessageContaining("fn");
        assertThatThrownBy(() -> f.whenCompleteAsync(null)).hasMessageContaining("action");
        assertThatThrownBy(() -> f.exceptionallyComposeAsync(null)).hasMessageContaining("fn");
        assertThatThrownBy(() -> f.completeAsync(null, null)).hasMessageContaining("supplier");
        assertThatThrownBy(() -> f.completeAsync(() -> "v", null)).hasMessageContaining("executor");
        assertThat(recorder.inits("CompletableFuture")).isEmpty();
    }

    @Test
    void aStagesResourcePrintsAsItsCallback() {
        Recorder recorder = recorder();
        new AsyncCompletableFuture<String>().thenAccept(new java.util.function.Consumer<String>() {
            @Override
            public void accept(String v) {
            }

            @Override
            public String toString() {
                return "my callback";
            }
        });
        assertThat(recorder.onlyInit("CompletableFuture").resource).hasToString("my callback");
    }
}
