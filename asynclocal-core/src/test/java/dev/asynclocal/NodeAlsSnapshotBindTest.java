package dev.asynclocal;

import static dev.asynclocal.TestSupport.onNewThread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Node's tests of {@code AsyncLocalStorage.snapshot()}, {@code bind()} and errors in {@code run}, ported. */
class NodeAlsSnapshotBindTest {
    private final AsyncLocalStorage<Integer> asyncLocalStorage = new AsyncLocalStorage<>();

    @Test
    void snapshotRunsInTheContextOfItsCapture() {
        // node: test/parallel/test-async-local-storage-snapshot.js
        Snapshot runInAsyncScope = asyncLocalStorage.run(123, () -> AsyncLocalStorage.snapshot());
        Integer result = asyncLocalStorage.run(321, () -> runInAsyncScope.run(() -> asyncLocalStorage.getStore()));
        assertThat(result).isEqualTo(123);
    }

    @Test
    void bindReturnsTheResultAndRunsTheFunction() throws Exception {
        // node: test/parallel/test-async-local-storage-bind.js
        Callable<Integer> fn = AsyncLocalStorage.bind(() -> 123);
        assertThat(fn.call()).isEqualTo(123);
        // Node forwards arguments; a Java Runnable takes none, so the argument travels in the closure.
        String arg = "test";
        AtomicReference<String> received = new AtomicReference<>();
        Runnable fn2 = AsyncLocalStorage.bind(() -> received.set(arg));
        fn2.run();
        assertThat(received.get()).isEqualTo("test");
    }

    @Test
    void bindRejectsANonFunction() {
        // node: test/parallel/test-async-local-storage-bind.js (ERR_INVALID_ARG_TYPE); the only
        // non-function a Java caller can pass is null.
        assertThatThrownBy(() -> AsyncLocalStorage.bind((Runnable) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AsyncLocalStorage.bind((Callable<?>) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aThrowingRunRestoresTheContextButWorkCreatedInsideKeepsTheStore() throws Exception {
        // node: test/async-hooks/test-async-local-storage-errors.js (err1 and err2). Node reports
        // err2 to 'uncaughtException' inside the timer's context; in Java an uncaught-exception
        // handler runs after the task's context is restored, so the task's own catch plays that part.
        AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();
        Object callbackToken = new Object();
        List<Object> seen = new CopyOnWriteArrayList<>();
        Runnable[] timeout = new Runnable[1];
        try {
            als.run(callbackToken, () -> {
                timeout[0] = AsyncLocalStorage.bind(() -> {
                    try {
                        throw new IllegalStateException("err2");
                    } catch (IllegalStateException err2) {
                        seen.add(err2.getMessage());
                        seen.add(als.getStore() == callbackToken);
                    }
                });
                throw new IllegalStateException("err1");
            });
        } catch (IllegalStateException e) {
            assertThat(e).hasMessage("err1");
            assertThat(als.getStore()).isNull();
        }
        onNewThread(() -> timeout[0].run());
        assertThat(seen).containsExactly("err2", true);
    }
}
