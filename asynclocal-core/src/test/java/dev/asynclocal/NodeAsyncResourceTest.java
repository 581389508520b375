package dev.asynclocal;

import static dev.asynclocal.TestSupport.gcUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node's tests of the embedder API ({@code AsyncResource}), ported. {@code global.gc()} becomes a
 * bounded {@link System#gc()} loop; hooks go through {@link HookGuard}.
 */
class NodeAsyncResourceTest {
    @RegisterExtension
    final HookGuard hooks = new HookGuard();

    @Test
    void invalidTypeIsRejected() {
        // node: test/async-hooks/test-embedder.api.async-resource-no-type.js and
        // test/parallel/test-async-hooks-asyncresource-constructor.js. Node's non-string types
        // (1, Date, {}, []) cannot be expressed in Java; null is the remaining case.
        hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            }
        });
        assertThatThrownBy(() -> new AsyncResource(null, AsyncHooks.executionAsyncId()))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AsyncResource("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidTriggerIdIsRejected() {
        // node: test/parallel/test-async-hooks-asyncresource-constructor.js (-4 is
        // ERR_INVALID_ASYNC_ID; Math.PI has no Java analogue since the id is a long)
        assertThatThrownBy(() -> new AsyncResource("type", -4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idStackGrowsAThousandLevelsDeep() {
        // node: test/parallel/test-async-hooks-recursive-stack-runInAsyncScope.js
        recurse(1000);
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        assertThat(AsyncHooks.triggerAsyncId()).isZero();
    }

    private static void recurse(int n) {
        AsyncResource a = new AsyncResource("foobar");
        a.runInAsyncScope(() -> {
            assertThat(AsyncHooks.executionAsyncId()).isEqualTo(a.asyncId());
            assertThat(AsyncHooks.triggerAsyncId()).isEqualTo(a.triggerAsyncId());
            if (n >= 0) {
                recurse(n - 1);
            }
            assertThat(AsyncHooks.executionAsyncId()).isEqualTo(a.asyncId());
            assertThat(AsyncHooks.triggerAsyncId()).isEqualTo(a.triggerAsyncId());
        });
    }

    @Test
    void idsAreBackAfterACaughtExceptionInRunInAsyncScope() {
        // node: test/parallel/test-async-hooks-run-in-async-scope-caught-exception.js
        Object top = AsyncHooks.executionAsyncResource();
        try {
            new AsyncResource("foo").runInAsyncScope((Runnable) () -> {
                throw new IllegalStateException("bar");
            });
        } catch (IllegalStateException expected) {
            // continue regardless of error
        }
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
        assertThat(AsyncHooks.triggerAsyncId()).isZero();
        assertThat(AsyncHooks.executionAsyncResource()).isSameAs(top);
    }

    @Test
    void executionAsyncResourceSupportsContinuationLocalStorage() throws Exception {
        // node: test/parallel/test-async-hooks-execution-async-resource.js: an init hook copies
        // state from the executing resource to each new resource; ten "requests" each set their
        // own state, and a "timer" created while handling each sees that request's state.
        // The HTTP server is modelled by one AsyncResource per request.
        Map<Object, String> state = Collections.synchronizedMap(new WeakHashMap<>());
        assertThat(AsyncHooks.executionAsyncResource()).isNotNull();
        hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                String inherited = state.get(AsyncHooks.executionAsyncResource());
                if (inherited != null) {
                    state.put(resource, inherited);
                }
            }
        });
        List<String> responses = new CopyOnWriteArrayList<>();
        List<AsyncResource> timers = new CopyOnWriteArrayList<>();
        for (int n = 0; n < 10; n++) {
            String url = "/" + n;
            AsyncResource request = new AsyncResource("HTTPINCOMINGMESSAGE");
            request.runInAsyncScope(() -> {
                state.put(AsyncHooks.executionAsyncResource(), url);
                timers.add(new AsyncResource("Timeout"));
            });
        }
        // the timers fire later, in another order, on another thread
        TestSupport.onNewThread(() -> {
            for (int i = timers.size() - 1; i >= 0; i--) {
                timers.get(i).runInAsyncScope(() -> responses.add(state.get(AsyncHooks.executionAsyncResource())));
            }
        });
        assertThat(responses).containsExactly("/9", "/8", "/7", "/6", "/5", "/4", "/3", "/2", "/1", "/0");
    }

    @Test
    void unreachableResourceGetsDestroyWhenManualDestroyIsNotRequired() throws Exception {
        // node: test/parallel/test-async-hooks-destroy-on-gc.js
        HookRecorder recorder = hooks.record();
        long id = TestSupport.createAndDrop("Collected", false);
        assertThat(gcUntil(() -> recorder.count("destroy", id) > 0, 150))
                .as("destroy for a collected resource within a bounded number of GCs").isTrue();
        recorder.flushDestroyQueue();
        assertThat(recorder.count("destroy", id)).isEqualTo(1);
        assertThat(recorder.eventsOf("destroy", id).get(0).thread.getName()).isEqualTo("asynclocal-destroy");
    }

    @Test
    void noGcDestroyWhenManualDestroyIsRequired() throws Exception {
        // node: test/parallel/test-async-hooks-disable-gc-tracking.js
        HookRecorder recorder = hooks.record();
        AsyncResource resource = new AsyncResource("Manual", 1, true);
        long manualId = resource.asyncId();
        WeakReference<AsyncResource> manual = new WeakReference<>(resource);
        resource = null;
        // A probe created after it, with GC destroy, shows the cleaner has run since.
        long probeId = TestSupport.createAndDrop("Probe", false);
        assertThat(gcUntil(() -> manual.get() == null && recorder.count("destroy", probeId) > 0, 150)).isTrue();
        recorder.flushDestroyQueue();
        assertThat(recorder.count("destroy", manualId)).isZero();
    }

    @Test
    void manualDestroyPreventsALaterGcDestroy() throws Exception {
        // node: test/parallel/test-async-hooks-prevent-double-destroy.js
        HookRecorder recorder = hooks.record();
        AsyncResource resource = new AsyncResource("foobar");
        long id = resource.asyncId();
        resource.emitDestroy();
        WeakReference<AsyncResource> ref = new WeakReference<>(resource);
        resource = null;
        long probeId = TestSupport.createAndDrop("Probe", false);
        assertThat(gcUntil(() -> ref.get() == null && recorder.count("destroy", probeId) > 0, 150)).isTrue();
        recorder.flushDestroyQueue();
        assertThat(recorder.count("destroy", id)).isEqualTo(1);
    }
}
