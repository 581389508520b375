package dev.asynclocal;

import java.util.List;

/** Ready-made hook callbacks for tests. */
final class HookCallbacks {
    private HookCallbacks() {
    }

    /** Callbacks that log {@code "<name> <event> <id>"} for init, before and after. */
    static AsyncHook.Callbacks named(String name, List<String> log) {
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

    /** Callbacks that throw {@code failure} from the named callback only (never for flush markers). */
    static AsyncHook.Callbacks throwingIn(String callback, Throwable failure) {
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
}
