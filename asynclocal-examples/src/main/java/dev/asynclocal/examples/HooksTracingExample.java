package dev.asynclocal.examples;

import static dev.asynclocal.AsyncHooks.executionAsyncId;
import static dev.asynclocal.AsyncHooks.triggerAsyncId;

import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncResource;
import java.util.concurrent.CountDownLatch;

/**
 * {@link AsyncHooks#createHook}: a hook that prints every event of two nested resources, and the
 * error handler that receives exceptions thrown by hook callbacks.
 */
public final class HooksTracingExample {
    private HooksTracingExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        tracing();
        errors();
    }

    // snippet:start hooks-tracing
    static String ids() {
        return "executionAsyncId=" + executionAsyncId() + " triggerAsyncId=" + triggerAsyncId();
    }

    static void tracing() throws InterruptedException {
        CountDownLatch destroyed = new CountDownLatch(2);
        AsyncHook hook = AsyncHooks.createHook(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                System.out.println("init " + type + " id=" + asyncId + " trigger=" + triggerAsyncId);
            }

            @Override
            public void before(long asyncId) {
                System.out.println("before " + asyncId);
            }

            @Override
            public void after(long asyncId) {
                System.out.println("after " + asyncId);
            }

            @Override
            public void destroy(long asyncId) {
                System.out.println("destroy " + asyncId + " on " + Thread.currentThread().getName());
                destroyed.countDown();
            }
        }).enable();

        System.out.println("top level: " + ids());
        AsyncResource request = new AsyncResource("Request");
        AsyncResource query = request.runInAsyncScope(() -> {
            System.out.println("  in Request: " + ids());
            AsyncResource created = new AsyncResource("Query");    // created inside Request
            created.runInAsyncScope(() -> System.out.println("  in Query: " + ids()));
            return created;
        });
        query.emitDestroy();
        request.emitDestroy();
        destroyed.await();      // destroy arrives later, on another thread
        hook.disable();
    }
    // snippet:end hooks-tracing

    static void errors() {
        // snippet:start hooks-errors
        AsyncHooks.setErrorHandler((callback, type, asyncId, error) -> System.out.println(
                "the " + callback + " hook failed for a " + type + ": " + error.getMessage()));
        AsyncHook broken = AsyncHooks.createHook(new AsyncHook.Callbacks() {
            @Override
            public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                throw new IllegalStateException("boom");
            }
        }).enable();
        try {
            AsyncResource resource = new AsyncResource("Fragile");
            resource.runInAsyncScope(() -> System.out.println("the resource still works"));
        } finally {
            broken.disable();
            AsyncHooks.resetErrorHandler();
        }
        // Prints:
        //   the init hook failed for a Fragile: boom
        //   the resource still works
        // snippet:end hooks-errors
    }
}
