package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node's tests of {@code createHook}: enabling, event order, hook-set changes during dispatch and
 * errors thrown by callbacks, ported. Node creates resources with {@code fs.access} or timers; here
 * an {@link AsyncResource} of the same type name plays that part. Hooks are global: every hook goes
 * through {@link HookGuard}.
 */
class NodeHooksTest {
    @RegisterExtension
    final HookGuard hooks = new HookGuard();

    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>();

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
    void throwingInitIsReportedAndConstructionGoesOn() {
        // node: test/async-hooks/test-callback-error.js ("test_init_callback"), adapted: Node
        // exits the process; API.md reports the error and the operation goes on.
        List<HookGuard.HookError> errors = hooks.collectErrors();
        RuntimeException failure = new RuntimeException("test_init_callback");
        hooks.enable(HookCallbacks.throwingIn("init", failure));
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
        hooks.enable(HookCallbacks.throwingIn("before", new RuntimeException("test_callback")));
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
}
