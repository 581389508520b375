package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asynclocal.internal.Hooks;
import dev.asynclocal.internal.ThreadState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One or more tests for every row of API.md's {@code AsyncHooks}/{@code AsyncHook} table, plus the
 * error-reporting and dispatch rules. Hooks are global: every hook here goes through
 * {@link HookGuard}, which disables it and resets the error handler after each test.
 */
class AsyncHooksTest {
    @RegisterExtension
    final HookGuard hooks = new HookGuard();

    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>();

    // ---- createHook / enable / disable / isEnabled ----

    @Test
    void createdHookIsDisabledUntilEnabled() {
        HookRecorder recorder = new HookRecorder();
        AsyncHook hook = hooks.create(recorder);
        assertThat(hook.isEnabled()).isFalse();
        AsyncResource unseen = new AsyncResource("Unseen");
        assertThat(recorder.trace(unseen.asyncId())).isEmpty();
    }

    @Test
    void toStringTellsWhetherEnabled() {
        AsyncHook hook = hooks.create(new AsyncHook.Callbacks() { });
        assertThat(hook.toString()).contains("disabled");
        hook.enable();
        assertThat(hook.toString()).contains("enabled").doesNotContain("disabled");
    }

    @Test
    void callbacksHaveNoOpDefaults() {
        hooks.enable(new AsyncHook.Callbacks() { });
        AsyncResource resource = new AsyncResource("Defaults");
        assertThat(resource.runInAsyncScope(() -> "ran")).isEqualTo("ran");
        resource.emitDestroy();
    }

    // ---- execution ids ----

    @Test
    void topLevelIdsAndResource() {
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        assertThat(AsyncHooks.triggerAsyncId()).isZero();
        Object top = AsyncHooks.executionAsyncResource();
        assertThat(top).isNotNull().isSameAs(AsyncHooks.executionAsyncResource());
    }

    // ---- event order ----

    @Test
    void nestedScopesProduceStackOrderedEvents() {
        // node-semantics 2.7.5: "before 2, init 3, before 3, after 3, after 2"
        HookRecorder recorder = hooks.record();
        AsyncResource outer = new AsyncResource("Outer");
        AsyncResource[] inner = new AsyncResource[1];
        outer.runInAsyncScope(() -> {
            inner[0] = new AsyncResource("Inner");
            inner[0].runInAsyncScope(() -> { });
        });
        long o = outer.asyncId();
        long i = inner[0].asyncId();
        assertThat(recorder.trace(o, i)).containsExactly(
                "init " + o, "before " + o, "init " + i, "before " + i, "after " + i, "after " + o);
        HookRecorder.Event innerInit = recorder.eventsOf("init", i).get(0);
        assertThat(innerInit.triggerAsyncId).isEqualTo(o);
        assertThat(innerInit.executionAsyncId).isEqualTo(o);
    }

    @Test
    void beforeAndAfterSeeTheResourceAsExecuting() {
        HookRecorder recorder = hooks.record();
        AsyncResource resource = new AsyncResource("Ids");
        resource.runInAsyncScope(() -> { });
        assertThat(recorder.eventsOf("before", resource.asyncId()).get(0).executionAsyncId).isEqualTo(resource.asyncId());
        assertThat(recorder.eventsOf("after", resource.asyncId()).get(0).executionAsyncId).isEqualTo(resource.asyncId());
    }

    @Test
    void afterIsEmittedWhenTheCodeThrows() {
        HookRecorder recorder = hooks.record();
        AsyncResource resource = new AsyncResource("Throws");
        assertThatThrownBy(() -> resource.runInAsyncScope((Runnable) () -> {
            throw new IllegalStateException("x");
        })).isInstanceOf(IllegalStateException.class);
        long id = resource.asyncId();
        assertThat(recorder.trace(id)).containsExactly("init " + id, "before " + id, "after " + id);
    }

    @Test
    void everyEnabledHookReceivesEventsInEnableOrder() {
        List<String> log = new CopyOnWriteArrayList<>();
        hooks.enable(HookCallbacks.named("A", log));
        hooks.enable(HookCallbacks.named("B", log));
        AsyncResource resource = new AsyncResource("Both");
        resource.runInAsyncScope(() -> { });
        long id = resource.asyncId();
        assertThat(log).containsExactly(
                "A init " + id, "B init " + id, "A before " + id, "B before " + id, "A after " + id, "B after " + id);
    }

    // ---- errors thrown by hook callbacks ----

    @Test
    void throwingAfterIsReportedAndTheResultIsReturned() {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        hooks.enable(HookCallbacks.throwingIn("after", new IllegalStateException("after")));
        AsyncResource resource = new AsyncResource("AfterType");
        assertThat(resource.runInAsyncScope(() -> 42)).isEqualTo(42);
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        assertThat(AsyncHooks.triggerAsyncId()).isZero();
        assertThat(errors).extracting(e -> e.callback + "/" + e.type + "/" + e.asyncId)
                .containsExactly("after/AfterType/" + resource.asyncId());
    }

    @Test
    void throwingAfterDoesNotMaskTheWorksOwnException() {
        hooks.collectErrors();
        hooks.enable(HookCallbacks.throwingIn("after", new IllegalStateException("from hook")));
        AsyncResource resource = new AsyncResource("Both");
        IllegalArgumentException own = new IllegalArgumentException("own");
        assertThatThrownBy(() -> resource.runInAsyncScope((Runnable) () -> {
            throw own;
        })).isSameAs(own);
    }

    @Test
    void throwingDestroyIsReportedFromTheDestroyThread() throws Exception {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        hooks.enable(HookCallbacks.throwingIn("destroy", new RuntimeException("destroy")));
        HookRecorder recorder = hooks.record();
        AsyncResource resource = new AsyncResource("DestroyType");
        resource.emitDestroy();
        assertThat(recorder.awaitDestroy(resource.asyncId())).isTrue();
        HookGuard.HookError error = errors.stream().filter(e -> e.asyncId == resource.asyncId())
                .findFirst().orElseThrow(() -> new AssertionError("no report for destroy: " + errors));
        assertThat(error.callback).isEqualTo("destroy");
        assertThat(error.type).isEqualTo("DestroyType");
        assertThat(error.thread.getName()).isEqualTo("asynclocal-destroy");
    }

    @Test
    void throwingPromiseResolveIsReported() {
        // No public core API emits promiseResolve yet (futures do, in their module); the
        // library's internal emitter is used to reach the hook's error path.
        List<HookGuard.HookError> errors = hooks.collectErrors();
        hooks.enable(HookCallbacks.throwingIn("promiseResolve", new RuntimeException("resolve")));
        Hooks.emitPromiseResolve(ThreadState.state(), 12345, "CompletableFuture");
        assertThat(errors).extracting(e -> e.callback + "/" + e.type + "/" + e.asyncId)
                .containsExactly("promiseResolve/CompletableFuture/12345");
    }

    @Test
    void errorsAreReportedToo() {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        AssertionError failure = new AssertionError("an Error, not an Exception");
        hooks.enable(HookCallbacks.throwingIn("init", failure));
        AsyncResource resource = new AsyncResource("ErrorType");
        assertThat(errors).extracting(e -> e.error).containsExactly(failure);
        assertThat(resource.asyncId()).isPositive();
    }

    @Test
    void defaultHandlerPrintsOneLineNamingCallbackTypeAndIdFollowedByTheStack() {
        AsyncHooks.resetErrorHandler();
        hooks.enable(HookCallbacks.throwingIn("init", new RuntimeException("printed")));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        AsyncResource resource;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            resource = new AsyncResource("PrintedType");
        } finally {
            System.setErr(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        List<String> lines = Arrays.asList(out.split("\\R"));
        assertThat(lines.get(0)).contains("init", "PrintedType", Long.toString(resource.asyncId()), "printed");
        assertThat(lines.stream().filter(l -> l.startsWith("asynclocal:"))).hasSize(1);
        assertThat(lines.subList(1, lines.size())).anyMatch(l -> l.trim().startsWith("at "));
    }

    @Test
    void setErrorHandlerNullRestoresTheDefault() {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        AsyncHooks.setErrorHandler(null);
        hooks.enable(HookCallbacks.throwingIn("init", new RuntimeException("to stderr")));
        String out = captureStderr(() -> new AsyncResource("DefaultAgain"));
        assertThat(errors).isEmpty();
        assertThat(out).contains("DefaultAgain");
    }

    @Test
    void aThrowingErrorHandlerFallsBackToStderrAndTheWorkGoesOn() {
        AsyncHooks.setErrorHandler((callback, type, id, error) -> {
            throw new IllegalStateException("handler failed");
        });
        hooks.enable(HookCallbacks.throwingIn("before", new RuntimeException("hook failed")));
        AsyncResource resource = new AsyncResource("HandlerFails");
        AtomicReference<Integer> result = new AtomicReference<>();
        String out = captureStderr(() -> result.set(resource.runInAsyncScope(() -> 7)));
        assertThat(result.get()).isEqualTo(7);
        assertThat(out).contains("HandlerFails", "hook failed", "handler failed");
    }

    // ---- hook-set changes during dispatch ----

    @Test
    void disablingALaterHookDuringDispatchDoesNotAffectTheEventInProgress() {
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicReference<AsyncHook> second = new AtomicReference<>();
        hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                second.get().disable();
            }
        });
        second.set(hooks.enable(HookCallbacks.named("B", log)));
        AsyncResource resource = new AsyncResource("InProgress");
        assertThat(log).containsExactly("B init " + resource.asyncId());
        AsyncResource next = new AsyncResource("Next");
        assertThat(log).doesNotContain("B init " + next.asyncId());
    }

    @Test
    void hookCreatingResourcesInInitStopsAtTheDepthLimitWithAReportedError() {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        AtomicInteger inits = new AtomicInteger();
        hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (type.equals("Recursive")) {
                    inits.incrementAndGet();
                    new AsyncResource("Recursive");
                }
            }
        });
        AsyncResource top = als.run("ctx", () -> {
            AsyncResource r = new AsyncResource("Recursive");
            assertThat(als.getStore()).isEqualTo("ctx");
            return r;
        });
        // the common brief fixes the maximum nesting depth at 32
        assertThat(inits).hasValue(32);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).callback).isEqualTo("init");
        assertThat(errors.get(0).type).isEqualTo("Recursive");
        assertThat(errors.get(0).error).isInstanceOf(IllegalStateException.class);
        assertThat(errors.get(0).asyncId).isGreaterThan(top.asyncId());
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        // dispatch is usable again afterwards
        HookRecorder recorder = hooks.record();
        AsyncResource after = new AsyncResource("Plain");
        assertThat(recorder.count("init", after.asyncId())).isEqualTo(1);
    }

    /** Two resources per init would be 2^32 events within the depth limit; a budget stops it. */
    @Test
    void hookCreatingTwoResourcesPerInitStopsAtTheEventBudgetWithOneReport() {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        AtomicInteger inits = new AtomicInteger();
        hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (type.equals("Fork")) {
                    inits.incrementAndGet();
                    new AsyncResource("Fork");
                    new AsyncResource("Fork");
                }
            }
        });
        als.run("ctx", () -> {
            new AsyncResource("Fork");
            assertThat(als.getStore()).isEqualTo("ctx");
        });
        // the runaway dispatch is cut off (here by the depth limit, reached first) and reported once
        assertThat(inits.get()).isBetween(32, 10_001);
        assertThat(errors).hasSize(1);
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        HookRecorder recorder = hooks.record();
        AsyncResource after = new AsyncResource("Plain");
        assertThat(recorder.count("init", after.asyncId())).isEqualTo(1);
    }

    @Test
    void hooksAreGlobalAcrossThreads() throws Exception {
        HookRecorder recorder = hooks.record();
        long id = TestSupport.onNewThread(() -> new AsyncResource("OtherThread").asyncId());
        assertThat(recorder.await(e -> e.kind.equals("init") && e.asyncId == id, 5, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.eventsOf("init", id).get(0).thread).isNotSameAs(Thread.currentThread());
    }

    // ---- helpers ----

    private static String captureStderr(Runnable body) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
