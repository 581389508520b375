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
    void enableAndDisableReturnThisAndAreIdempotent() {
        // node: test/parallel/test-async-hooks-enable-disable.js
        HookRecorder recorder = new HookRecorder();
        AsyncHook hook = hooks.create(recorder);
        assertThat(hook.enable()).isSameAs(hook);
        assertThat(hook.enable()).isSameAs(hook);
        assertThat(hook.isEnabled()).isTrue();
        AsyncResource seen = new AsyncResource("Seen");
        assertThat(recorder.trace(seen.asyncId())).containsExactly("init " + seen.asyncId());

        assertThat(hook.disable()).isSameAs(hook);
        assertThat(hook.disable()).isSameAs(hook);
        assertThat(hook.disable()).isSameAs(hook);
        assertThat(hook.isEnabled()).isFalse();
        AsyncResource unseen = new AsyncResource("Unseen");
        unseen.runInAsyncScope(() -> { });
        assertThat(recorder.trace(unseen.asyncId())).isEmpty();
    }

    @Test
    void enableDisableEnableWorks() {
        // node: test/parallel/test-async-hooks-enable-disable-enable.js (regression #27585)
        HookRecorder recorder = new HookRecorder();
        AsyncHook hook = hooks.create(recorder).enable().disable().enable();
        hooks.enable(new AsyncHook.Callbacks() { });
        assertThat(hook.isEnabled()).isTrue();
        AsyncResource resource = new AsyncResource("Again");
        assertThat(recorder.count("init", resource.asyncId())).isEqualTo(1);
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
    void lifecycleIsInitBeforeAfterThenDestroy() throws Exception {
        // node: test/async-hooks/test-embedder.api.async-resource.js (init, then before/after
        // pairs, then destroy after the fact; emitBefore/emitAfter map to runInAsyncScope)
        HookRecorder recorder = hooks.record();
        long trigger = AsyncHooks.executionAsyncId();
        AsyncResource resource = new AsyncResource("alcazares", trigger);
        long id = resource.asyncId();
        assertThat(recorder.trace(id)).containsExactly("init " + id);
        assertThat(recorder.eventsOf("init", id).get(0).type).isEqualTo("alcazares");
        assertThat(id).isNotEqualTo(trigger);
        resource.runInAsyncScope(() -> { });
        assertThat(recorder.trace(id)).containsExactly("init " + id, "before " + id, "after " + id);
        resource.runInAsyncScope(() -> { });
        resource.emitDestroy();
        assertThat(recorder.awaitDestroy(id)).isTrue();
        assertThat(recorder.trace(id)).containsExactly(
                "init " + id, "before " + id, "after " + id, "before " + id, "after " + id, "destroy " + id);

        // after the hooks are disabled nothing more is received
        AsyncResource poblado = new AsyncResource("poblado", 111);
        poblado.runInAsyncScope(() -> { });
        assertThat(recorder.eventsOf("init", poblado.asyncId()).get(0).triggerAsyncId).isEqualTo(111);
        hooks.disableAll();
        poblado.emitDestroy();
        HookRecorder later = hooks.record();
        later.flushDestroyQueue();
        assertThat(recorder.trace(poblado.asyncId()))
                .containsExactly("init " + poblado.asyncId(), "before " + poblado.asyncId(), "after " + poblado.asyncId());
    }

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
        hooks.enable(named("A", log));
        hooks.enable(named("B", log));
        AsyncResource resource = new AsyncResource("Both");
        resource.runInAsyncScope(() -> { });
        long id = resource.asyncId();
        assertThat(log).containsExactly(
                "A init " + id, "B init " + id, "A before " + id, "B before " + id, "A after " + id, "B after " + id);
    }

    // ---- errors thrown by hook callbacks ----

    @Test
    void throwingInitIsReportedAndConstructionGoesOn() {
        // node: test/async-hooks/test-callback-error.js ("test_init_callback"), adapted: Node
        // exits the process; API.md reports the error and the operation goes on.
        List<HookGuard.HookError> errors = hooks.collectErrors();
        RuntimeException failure = new RuntimeException("test_init_callback");
        hooks.enable(throwingIn("init", failure));
        HookRecorder after = hooks.record();
        AsyncResource resource = als.run("ctx", () -> {
            AsyncResource r = new AsyncResource("test_init_callback_type");
            assertThat(als.getStore()).isEqualTo("ctx");
            return r;
        });
        assertThat(errors).hasSize(1);
        HookGuard.HookError error = errors.get(0);
        assertThat(error.callback).isEqualTo("init");
        assertThat(error.type).isEqualTo("test_init_callback_type");
        assertThat(error.asyncId).isEqualTo(resource.asyncId());
        assertThat(error.error).isSameAs(failure);
        // the failing hook did not stop the hooks after it
        assertThat(after.count("init", resource.asyncId())).isEqualTo(1);
        assertThat(resource.runInAsyncScope(() -> als.getStore())).isEqualTo("ctx");
    }

    @Test
    void throwingBeforeIsReportedAndTheWorkRunsInItsContext() {
        // node: test/async-hooks/test-callback-error.js ("test_callback"), adapted as above
        List<HookGuard.HookError> errors = hooks.collectErrors();
        hooks.enable(throwingIn("before", new RuntimeException("test_callback")));
        AsyncResource resource = als.run("captured", () -> new AsyncResource("test_callback_type"));
        String seen = als.run("caller", () -> {
            String inside = resource.runInAsyncScope(() -> als.getStore() + "@" + AsyncHooks.executionAsyncId());
            assertThat(als.getStore()).isEqualTo("caller");
            return inside;
        });
        assertThat(seen).isEqualTo("captured@" + resource.asyncId());
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        assertThat(errors).extracting(e -> e.callback + "/" + e.type + "/" + e.asyncId)
                .containsExactly("before/test_callback_type/" + resource.asyncId());
    }

    @Test
    void throwingAfterIsReportedAndTheResultIsReturned() {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        hooks.enable(throwingIn("after", new IllegalStateException("after")));
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
        hooks.enable(throwingIn("after", new IllegalStateException("from hook")));
        AsyncResource resource = new AsyncResource("Both");
        IllegalArgumentException own = new IllegalArgumentException("own");
        assertThatThrownBy(() -> resource.runInAsyncScope((Runnable) () -> {
            throw own;
        })).isSameAs(own);
    }

    @Test
    void throwingDestroyIsReportedFromTheDestroyThread() throws Exception {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        hooks.enable(throwingIn("destroy", new RuntimeException("destroy")));
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
        hooks.enable(throwingIn("promiseResolve", new RuntimeException("resolve")));
        Hooks.emitPromiseResolve(ThreadState.current(), 12345, "CompletableFuture");
        assertThat(errors).extracting(e -> e.callback + "/" + e.type + "/" + e.asyncId)
                .containsExactly("promiseResolve/CompletableFuture/12345");
    }

    @Test
    void errorsAreReportedToo() {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        AssertionError failure = new AssertionError("an Error, not an Exception");
        hooks.enable(throwingIn("init", failure));
        AsyncResource resource = new AsyncResource("ErrorType");
        assertThat(errors).extracting(e -> e.error).containsExactly(failure);
        assertThat(resource.asyncId()).isPositive();
    }

    @Test
    void defaultHandlerPrintsOneLineNamingCallbackTypeAndIdFollowedByTheStack() {
        AsyncHooks.resetErrorHandler();
        hooks.enable(throwingIn("init", new RuntimeException("printed")));
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
        hooks.enable(throwingIn("init", new RuntimeException("to stderr")));
        String out = captureStderr(() -> new AsyncResource("DefaultAgain"));
        assertThat(errors).isEmpty();
        assertThat(out).contains("DefaultAgain");
    }

    @Test
    void aThrowingErrorHandlerFallsBackToStderrAndTheWorkGoesOn() {
        AsyncHooks.setErrorHandler((callback, type, id, error) -> {
            throw new IllegalStateException("handler failed");
        });
        hooks.enable(throwingIn("before", new RuntimeException("hook failed")));
        AsyncResource resource = new AsyncResource("HandlerFails");
        AtomicReference<Integer> result = new AtomicReference<>();
        String out = captureStderr(() -> result.set(resource.runInAsyncScope(() -> 7)));
        assertThat(result.get()).isEqualTo(7);
        assertThat(out).contains("HandlerFails", "hook failed", "handler failed");
    }

    // ---- hook-set changes during dispatch ----

    @Test
    void hookDisabledInsideInitStillGetsThatInitAndTheNestedOne() {
        // node: test/async-hooks/test-disable-in-init.js
        AtomicInteger outerInits = new AtomicInteger();
        AtomicInteger nestedInits = new AtomicInteger();
        AtomicReference<AsyncHook> nestedHook = new AtomicReference<>();
        hooks.enable(new AsyncHook.Callbacks() {
            boolean nestedCall;

            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (!type.equals("fs.access")) {
                    return;
                }
                outerInits.incrementAndGet();
                nestedHook.get().disable();
                if (!nestedCall) {
                    nestedCall = true;
                    new AsyncResource("fs.access");
                }
            }
        });
        nestedHook.set(hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (type.equals("fs.access")) {
                    nestedInits.incrementAndGet();
                }
            }
        }));
        new AsyncResource("fs.access");
        assertThat(outerInits).hasValue(2);
        assertThat(nestedInits).hasValue(2);
        assertThat(nestedHook.get().isEnabled()).isFalse();
    }

    @Test
    void hookEnabledInsideInitGetsNeitherThatInitNorTheNestedOne() {
        // node: test/async-hooks/test-enable-in-init.js
        AtomicInteger outerInits = new AtomicInteger();
        AtomicInteger nestedInits = new AtomicInteger();
        AsyncHook nestedHook = hooks.create(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (type.equals("fs.access")) {
                    nestedInits.incrementAndGet();
                }
            }
        });
        hooks.enable(new AsyncHook.Callbacks() {
            boolean nestedCall;

            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (!type.equals("fs.access")) {
                    return;
                }
                outerInits.incrementAndGet();
                nestedHook.enable();
                if (!nestedCall) {
                    nestedCall = true;
                    new AsyncResource("fs.access");
                }
            }
        });
        new AsyncResource("fs.access");
        assertThat(outerInits).hasValue(2);
        assertThat(nestedInits).hasValue(0);
        assertThat(nestedHook.isEnabled()).isTrue();
    }

    @Test
    void hookEnabledInsideInitGetsLaterEvents() {
        // node: test/parallel/test-async-hooks-enable-recursive.js
        AtomicInteger nestedInits = new AtomicInteger();
        AsyncHook nestedHook = hooks.create(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (type.equals("fs.access")) {
                    nestedInits.incrementAndGet();
                }
            }
        });
        hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                nestedHook.enable();
            }
        });
        AsyncResource first = new AsyncResource("fs.access");
        assertThat(nestedInits).hasValue(0);
        first.runInAsyncScope(() -> new AsyncResource("fs.access"));
        assertThat(nestedInits).hasValue(1);
    }

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
        second.set(hooks.enable(named("B", log)));
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

    @Test
    void hooksAreGlobalAcrossThreads() throws Exception {
        HookRecorder recorder = hooks.record();
        long id = TestSupport.onNewThread(() -> new AsyncResource("OtherThread").asyncId());
        assertThat(recorder.await(e -> e.kind.equals("init") && e.asyncId == id, 5, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.eventsOf("init", id).get(0).thread).isNotSameAs(Thread.currentThread());
    }

    // ---- helpers ----

    private static AsyncHook.Callbacks named(String name, List<String> log) {
        return new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                log.add(name + " init " + asyncId);
            }

            @Override
            public void before(long asyncId) {
                log.add(name + " before " + asyncId);
            }

            @Override
            public void after(long asyncId) {
                log.add(name + " after " + asyncId);
            }
        };
    }

    /** Callbacks that throw {@code failure} from the named callback only. */
    private static AsyncHook.Callbacks throwingIn(String callback, Throwable failure) {
        return new AsyncHook.Callbacks() {
            private void maybeThrow(String name) {
                if (!name.equals(callback)) {
                    return;
                }
                if (failure instanceof RuntimeException) {
                    throw (RuntimeException) failure;
                }
                throw (Error) failure;
            }

            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                if (!type.equals("DestroyQueueMarker")) {
                    maybeThrow("init");
                }
            }

            @Override
            public void before(long asyncId) {
                maybeThrow("before");
            }

            @Override
            public void after(long asyncId) {
                maybeThrow("after");
            }

            @Override
            public void destroy(long asyncId) {
                maybeThrow("destroy");
            }

            @Override
            public void promiseResolve(long asyncId) {
                maybeThrow("promiseResolve");
            }
        };
    }

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
