package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hook faults not covered by {@link AsyncHooksTest} and {@link NodeHooksTest} (which test one
 * throwing callback at a time, a hook disabling or enabling another inside {@code init}, and
 * resources created inside {@code init}): a hook that throws in every callback, and a hook that
 * disables itself inside {@code init}.
 */
class HookFaultsTest {
    @RegisterExtension
    final HookGuard hooks = new HookGuard();

    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>("hook-faults");

    /** Throws from every callback, except for the destroy-queue markers the recorder uses. */
    static final class ThrowsEverywhere implements AsyncHook.Callbacks {
        final Set<Long> markers = ConcurrentHashMap.newKeySet();

        private void fail(String callback, long asyncId) {
            if (!markers.contains(asyncId)) {
                throw new IllegalStateException(callback + " " + asyncId);
            }
        }

        @Override
        public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            if (type.equals("DestroyQueueMarker")) {
                markers.add(asyncId);
            }
            fail("init", asyncId);
        }

        @Override
        public void before(long asyncId) {
            fail("before", asyncId);
        }

        @Override
        public void after(long asyncId) {
            fail("after", asyncId);
        }

        @Override
        public void destroy(long asyncId) {
            fail("destroy", asyncId);
        }

        @Override
        public void promiseResolve(long asyncId) {
            fail("promiseResolve", asyncId);
        }
    }

    @Test
    void aHookThatThrowsInEveryCallbackIsReportedOncePerFailureAndTheWorkCompletesInItsContext() throws Exception {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        ThrowsEverywhere throwing = new ThrowsEverywhere();
        hooks.enable(throwing);
        HookRecorder recorder = hooks.record();
        ExecutorService raw = Executors.newSingleThreadExecutor();
        List<String> seen = new ArrayList<>();
        try {
            ExecutorService pool = AsyncExecutors.wrap(raw);
            als.run("request", () -> {
                AsyncResource resource = new AsyncResource("Everywhere");
                seen.add(als.run("caller", () -> resource.runInAsyncScope(() -> als.getStore())));
                resource.emitDestroy();
                try {
                    seen.add(pool.submit(() -> als.getStore()).get(20, TimeUnit.SECONDS));
                    seen.add(AsyncCompletableFuture.supplyAsync(() -> als.getStore(), raw)
                            .thenApply(s -> s + "+stage").get(20, TimeUnit.SECONDS));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                seen.add(als.getStore());
            });
            // The supplyAsync stage's own events (promiseResolve, its destroy) are emitted on the
            // pool thread after get() has returned: let the pool finish before reading the events.
            raw.shutdown();
            assertThat(raw.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            recorder.flushDestroyQueue();
        } finally {
            raw.shutdownNow();
        }
        assertThat(seen).containsExactly("request", "request", "request+stage", "request");
        assertThat(als.getStore()).isNull();
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);

        // Every event the throwing hook was given (the recorder, enabled after it, saw the same
        // ones) produced exactly one report, naming that callback and id.
        List<String> events = recorder.events().stream()
                .filter(e -> !throwing.markers.contains(e.asyncId))
                .map(e -> e.kind + " " + e.asyncId)
                .collect(Collectors.toList());
        List<String> reported = errors.stream().map(e -> e.callback + " " + e.asyncId).collect(Collectors.toList());
        assertThat(reported).containsExactlyInAnyOrderElementsOf(events);
        assertThat(reported).doesNotHaveDuplicates();
        assertThat(errors).extracting(e -> e.callback).contains("init", "before", "after", "destroy", "promiseResolve");
        assertThat(errors).allSatisfy(e -> assertThat(e.error).hasMessage(e.callback + " " + e.asyncId));
    }

    @Test
    void aHookThatDisablesItselfInInitGetsThatInitAndNothingMore() throws Exception {
        List<HookGuard.HookError> errors = hooks.collectErrors();
        List<String> log = new ArrayList<>();
        AsyncHook[] self = new AsyncHook[1];
        self[0] = hooks.enable(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                log.add("init " + type);
                self[0].disable();
            }

            @Override
            public void before(long asyncId) {
                log.add("before");
            }

            @Override
            public void after(long asyncId) {
                log.add("after");
            }

            @Override
            public void destroy(long asyncId) {
                log.add("destroy");
            }
        });
        HookRecorder recorder = hooks.record();
        AsyncResource first = als.run("ctx", () -> new AsyncResource("First"));
        assertThat(first.runInAsyncScope(() -> als.getStore())).isEqualTo("ctx");
        first.emitDestroy();
        AsyncResource second = new AsyncResource("Second");
        second.runInAsyncScope(() -> { });
        recorder.flushDestroyQueue();
        assertThat(log).containsExactly("init First");
        assertThat(self[0].isEnabled()).isFalse();
        // the other hook saw the whole lifecycle of both
        assertThat(recorder.trace(first.asyncId())).containsExactly("init " + first.asyncId(),
                "before " + first.asyncId(), "after " + first.asyncId(), "destroy " + first.asyncId());
        assertThat(recorder.count("init", second.asyncId())).isEqualTo(1);
        assertThat(errors).isEmpty();
    }
}
