package dev.asynclocal;

import static dev.asynclocal.TestSupport.gcUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The library loaded by a class loader that is later thrown away, as a web application's is, and
 * used on threads that outlive it (a server's shared pool, the test's own thread). Once the
 * application lets go of it, nothing the library left on those threads may keep the loader
 * reachable: the loader must be collectable while the threads live on.
 *
 * <p>The control case shows the check can fail: a context deliberately left on a pool thread
 * (an {@code enterWith} nobody ends) does pin the loader, until the thread dies.
 */
class ClassLoaderUnloadingTest {
    private static final int GC_ROUNDS = 100;

    private ThreadPoolExecutor sharedPool;

    /**
     * The pool's threads exist before the application runs, as a server's do. That matters: up to
     * JDK 23 a new thread keeps the protection domains of every class on its creator's stack, so
     * a thread created lazily while application code is on the stack pins that application's
     * loader whatever the libraries do (found while writing this test).
     */
    @BeforeEach
    void startSharedPool() {
        sharedPool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        sharedPool.prestartAllCoreThreads();
    }

    @AfterEach
    void stopSharedPool() throws InterruptedException {
        sharedPool.shutdownNow();
        assertThat(sharedPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aDroppedLoaderIsCollectableWhileThePoolThreadsThatUsedItLiveOn() throws Exception {
        WeakReference<ClassLoader> loader = useLibraryInThrowawayLoader(sharedPool, false);

        assertThat(gcUntil(() -> loader.get() == null, GC_ROUNDS))
                .as("the throwaway class loader is collected while the pool threads are alive")
                .isTrue();
        // The pool threads did run the library's code and are still there.
        assertThat(sharedPool.submit(() -> Thread.currentThread().isAlive()).get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aContextLeftOnAPoolThreadPinsTheLoaderUntilTheThreadEnds() throws Exception {
        WeakReference<ClassLoader> loader = useLibraryInThrowawayLoader(sharedPool, true);

        assertThat(gcUntil(() -> loader.get() == null, 25))
                .as("a leaked context keeps the loader reachable from the pool thread")
                .isFalse();
        sharedPool.shutdownNow();
        assertThat(sharedPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(gcUntil(() -> loader.get() == null, GC_ROUNDS))
                .as("once the thread holding the leaked context ends, the loader goes")
                .isTrue();
    }

    /**
     * Loads the library in a new loader and runs a request's worth of it: a {@code run} on this
     * thread, a task through a wrapped executor onto the shared pool, an {@code enterWith} inside
     * that task, a snapshot run on a pool thread, an {@code AsyncResource} used there, and a plain
     * read on a raw pool thread. Every result is checked, so the library really ran. With
     * {@code leak}, finally leaves a store on a pool thread with an unmatched {@code enterWith}.
     */
    private static WeakReference<ClassLoader> useLibraryInThrowawayLoader(ExecutorService pool, boolean leak)
            throws Exception {
        URL classes = AsyncLocalStorage.class.getProtectionDomain().getCodeSource().getLocation();
        URLClassLoader loader = new URLClassLoader("throwaway", new URL[] {classes},
                ClassLoader.getPlatformClassLoader());
        Class<?> storageClass = loader.loadClass("dev.asynclocal.AsyncLocalStorage");
        assertThat(storageClass).isNotSameAs(AsyncLocalStorage.class);
        Constructor<?> create = storageClass.getConstructor(String.class);
        Method run = storageClass.getMethod("run", Object.class, Runnable.class);
        Method getStore = storageClass.getMethod("getStore");
        Method enterWith = storageClass.getMethod("enterWith", Object.class);
        Method snapshot = storageClass.getMethod("snapshot");
        Method snapshotRun = loader.loadClass("dev.asynclocal.Snapshot").getMethod("run", Runnable.class);
        Method wrap = loader.loadClass("dev.asynclocal.AsyncExecutors").getMethod("wrap", ExecutorService.class);
        Class<?> resourceClass = loader.loadClass("dev.asynclocal.AsyncResource");
        Constructor<?> newResource = resourceClass.getConstructor(String.class);
        Method runInAsyncScope = resourceClass.getMethod("runInAsyncScope", Runnable.class);

        Object storage = create.newInstance("requestId");
        ExecutorService wrapped = (ExecutorService) wrap.invoke(null, pool);
        Object[] seen = new Object[4];
        invoke(run, storage, "request-1", (Runnable) () -> {
            try {
                seen[0] = wrapped.submit(() -> {
                    Object before = invoke(getStore, storage);
                    invoke(enterWith, storage, "changed inside the task");
                    return before;
                }).get(10, TimeUnit.SECONDS);
                Object captured = invoke(snapshot, null);
                seen[1] = pool.submit(() -> {
                    Object[] inside = new Object[1];
                    invoke(snapshotRun, captured, (Runnable) () -> inside[0] = invoke(getStore, storage));
                    return inside[0];
                }).get(10, TimeUnit.SECONDS);
                Object resource = newResource.newInstance("Query");
                seen[2] = pool.submit(() -> {
                    Object[] inside = new Object[1];
                    invoke(runInAsyncScope, resource, (Runnable) () -> inside[0] = invoke(getStore, storage));
                    return inside[0];
                }).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        // Every pool thread runs a raw read: each one now has the library's thread state.
        for (int i = 0; i < 4; i++) {
            seen[3] = pool.submit(() -> invoke(getStore, storage)).get(10, TimeUnit.SECONDS);
        }
        assertThat(seen).containsExactly("request-1", "request-1", "request-1", null);
        assertThat(invoke(getStore, storage)).isNull();

        if (leak) {
            pool.submit(() -> invoke(enterWith, storage, "left behind")).get(10, TimeUnit.SECONDS);
        }
        loader.close();
        return new WeakReference<>(loader);
    }

    private static Object invoke(Method method, Object target, Object... args) {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
