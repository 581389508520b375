package dev.asynclocal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps hook tests from leaking global state: every hook made through it is disabled after the
 * test, and the hook error handler is reset to the default. Register it as an instance field with
 * {@code @RegisterExtension}. Hook tests rely on JUnit running test methods one at a time (the
 * default); do not turn on parallel execution for them.
 */
final class HookGuard implements AfterEachCallback {

    /** One report made to the error handler. */
    static final class HookError {
        final String callback;
        final String type;
        final long asyncId;
        final Throwable error;
        final Thread thread;

        HookError(String callback, String type, long asyncId, Throwable error) {
            this.callback = callback;
            this.type = type;
            this.asyncId = asyncId;
            this.error = error;
            this.thread = Thread.currentThread();
        }

        @Override
        public String toString() {
            return callback + "/" + type + "/" + asyncId + ": " + error;
        }
    }

    private final List<AsyncHook> hooks = new CopyOnWriteArrayList<>();

    /** A hook with these callbacks, not yet enabled, that will be disabled after the test. */
    AsyncHook create(AsyncHook.Callbacks callbacks) {
        AsyncHook hook = AsyncHooks.createHook(callbacks);
        hooks.add(hook);
        return hook;
    }

    /** A hook with these callbacks, enabled now, disabled after the test. */
    AsyncHook enable(AsyncHook.Callbacks callbacks) {
        return create(callbacks).enable();
    }

    /** A recorder, enabled now, disabled after the test. */
    HookRecorder record() {
        HookRecorder recorder = new HookRecorder();
        enable(recorder);
        return recorder;
    }

    /** Routes hook errors into the returned list until the end of the test. */
    List<HookError> collectErrors() {
        List<HookError> errors = new CopyOnWriteArrayList<>();
        AsyncHooks.setErrorHandler((callback, type, asyncId, error) ->
                errors.add(new HookError(callback, type, asyncId, error)));
        return errors;
    }

    /** Disables every hook made through this guard so far. */
    void disableAll() {
        for (AsyncHook hook : hooks) {
            hook.disable();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        disableAll();
        hooks.clear();
        AsyncHooks.resetErrorHandler();
    }
}
