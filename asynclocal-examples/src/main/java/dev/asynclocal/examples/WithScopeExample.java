package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link AsyncLocalStorage#withScope(Object)}: {@code enterWith} with an end, for
 * try-with-resources and for begin/end callback pairs.
 */
public final class WithScopeExample {
    private WithScopeExample() {
    }

    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void log(String msg) {
        String user = USER.getStore();
        System.out.println((user != null ? user : "-") + ": " + msg);
    }

    public static void main(String[] args) {
        tryWithResources();
        beginEnd();
    }

    // The scopes are opened for their effect on the context; the variables are never read.
    @SuppressWarnings("try")
    static void tryWithResources() {
        // snippet:start with-scope
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (AsyncLocalStorage.Scope outer = USER.withScope("alice")) {
            log("in the outer scope");                          // alice: in the outer scope
            try (AsyncLocalStorage.Scope inner = USER.withScope("bob")) {
                log("in the inner scope");                      // bob: in the inner scope
            }
            log("inner scope closed");                          // alice: inner scope closed
            Runnable task = AsyncLocalStorage.bind(() -> log("async work"));
            CompletableFuture.runAsync(task, pool).join();      // alice: async work
        }
        log("outer scope closed");                              // -: outer scope closed
        pool.shutdown();
        // snippet:end with-scope
    }

    // snippet:start with-scope-begin-end
    /** A listener with separate begin and end callbacks, both called on the same thread. */
    static final class UserListener {
        private AsyncLocalStorage.Scope scope;

        void onBegin(String user) {
            scope = USER.withScope(user);
        }

        void onEnd() {
            scope.close();
        }
    }

    static void beginEnd() {
        UserListener listener = new UserListener();
        listener.onBegin("carol");
        log("between begin and end");                           // carol: between begin and end
        listener.onEnd();
        log("after end");                                       // -: after end
    }
    // snippet:end with-scope-begin-end
}
