package dev.asynclocal.internal;

import java.lang.ref.Cleaner;

/**
 * The one place that watches async resources for garbage collection: a resource that becomes
 * unreachable before anyone destroyed it (an {@code AsyncResource} never given
 * {@code emitDestroy()}, a task an executor dropped) still gets its {@code destroy}, as Node emits
 * it when such an object is collected. Only resources created while a hook handling
 * {@code destroy} is enabled are registered, so without such a hook nothing here costs anything.
 */
public final class GcDestroy {
    // Created outside any context: with the agent, its thread would otherwise keep the context of
    // whichever code happened to load this class, for the life of the JVM.
    private static final Cleaner CLEANER = ThreadState.uncaptured(() -> Cleaner.create(runnable -> {
        Thread thread = new Thread(runnable, "asynclocal-cleaner");
        thread.setDaemon(true);
        return thread;
    }));

    private GcDestroy() {
    }

    /**
     * Runs {@code onCollected} on the cleaner thread once {@code resource} is unreachable, unless
     * the returned handle's {@code clean()} runs it first. {@code onCollected} must not reference
     * {@code resource}, or it would never become unreachable.
     *
     * @param resource the resource to watch
     * @param onCollected what queues its {@code destroy}
     * @return the handle that runs (and so unregisters) the action early
     */
    public static Cleaner.Cleanable watch(Object resource, Runnable onCollected) {
        return CLEANER.register(resource, onCollected);
    }

    /**
     * Watches {@code resource} and queues {@code destroy} for {@code asyncId} when it is collected.
     *
     * @param resource the resource to watch
     * @param asyncId its async id
     * @param type its type
     * @return the handle
     */
    static Cleaner.Cleanable watch(Object resource, long asyncId, String type) {
        return watch(resource, () -> Hooks.queueDestroy(asyncId, type));
    }
}
