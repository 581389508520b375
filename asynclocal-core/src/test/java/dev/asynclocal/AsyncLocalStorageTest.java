package dev.asynclocal;

import static dev.asynclocal.TestSupport.onNewThread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One or more tests for every row of API.md's {@code AsyncLocalStorage} table. */
class AsyncLocalStorageTest {

    @Nested
    class Construction {
        @Test
        void noArgumentConstructorHasEmptyNameAndNullDefault() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            assertThat(als.name()).isEmpty();
            assertThat(als.getStore()).isNull();
        }

        @Test
        void nameConstructorKeepsTheNameAndHasNullDefault() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("requestId");
            assertThat(als.name()).isEqualTo("requestId");
            assertThat(als.getStore()).isNull();
        }

        @Test
        void defaultValueIsReturnedOutsideAnyRun() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("user", "anonymous");
            assertThat(als.name()).isEqualTo("user");
            assertThat(als.getStore()).isEqualTo("anonymous");
            als.run("alice", () -> assertThat(als.getStore()).isEqualTo("alice"));
            assertThat(als.getStore()).isEqualTo("anonymous");
        }

        @Test
        void nullDefaultValueIsAllowed() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("n", null);
            assertThat(als.getStore()).isNull();
        }

        @Test
        void instancesAreIndependentEvenWithTheSameName() {
            AsyncLocalStorage<String> a = new AsyncLocalStorage<>("same");
            AsyncLocalStorage<String> b = new AsyncLocalStorage<>("same");
            a.run("A", () -> {
                assertThat(a.getStore()).isEqualTo("A");
                assertThat(b.getStore()).isNull();
            });
        }

        @Test
        void toStringNamesTheInstance() {
            assertThat(new AsyncLocalStorage<>("traceId").toString()).contains("traceId");
        }
    }

    @Nested
    class GetStore {
        @Test
        void returnsTheSameObjectThatWasStored() {
            AsyncLocalStorage<Object> als = new AsyncLocalStorage<>();
            Object store = new Object();
            als.run(store, () -> assertThat(als.getStore()).isSameAs(store));
        }

        @Test
        void nullIsALegalStoreAndHidesTheDefault() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("n", "default");
            als.run(null, () -> assertThat(als.getStore()).isNull());
            als.run("x", () -> als.run(null, () -> assertThat(als.getStore()).isNull()));
            assertThat(als.getStore()).isEqualTo("default");
        }

        @Test
        void freshThreadSeesTheDefault() throws Exception {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("n", "d");
            assertThat(onNewThread(als::getStore)).isEqualTo("d");
        }
    }

    @Nested
    class RunRunnable {
        @Test
        void storeIsVisibleInsideAndPreviousAfter() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            List<String> seen = new ArrayList<>();
            als.run("outer", () -> {
                seen.add(als.getStore());
                als.run("inner", () -> seen.add(als.getStore()));
                seen.add(als.getStore());
            });
            seen.add(als.getStore());
            assertThat(seen).containsExactly("outer", "inner", "outer", null);
        }

        @Test
        void runsSynchronouslyOnTheCallingThread() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AtomicReference<Thread> ran = new AtomicReference<>();
            als.run("x", () -> ran.set(Thread.currentThread()));
            assertThat(ran.get()).isSameAs(Thread.currentThread());
        }

        @Test
        void runtimeExceptionPropagatesUnchangedAndContextIsRestored() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AsyncLocalStorage<String> other = new AsyncLocalStorage<>();
            IllegalStateException boom = new IllegalStateException("boom");
            als.run("outer", () -> {
                assertThatThrownBy(() -> als.run("inner", (Runnable) () -> {
                    other.enterWith("leak?");
                    throw boom;
                })).isSameAs(boom);
                assertThat(als.getStore()).isEqualTo("outer");
                assertThat(other.getStore()).isNull();
            });
        }

        @Test
        void errorPropagatesUnchangedAndContextIsRestored() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AssertionError error = new AssertionError("fatal");
            assertThatThrownBy(() -> als.run("x", (Runnable) () -> {
                throw error;
            })).isSameAs(error);
            assertThat(als.getStore()).isNull();
        }

        @Test
        void enterWithOnAnyInstanceInsideRunEndsWithRun() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AsyncLocalStorage<String> other = new AsyncLocalStorage<>();
            als.run("outer", () -> {
                als.run("inner", () -> {
                    als.enterWith("entered");
                    other.enterWith("other");
                    assertThat(als.getStore()).isEqualTo("entered");
                    assertThat(other.getStore()).isEqualTo("other");
                });
                assertThat(als.getStore()).isEqualTo("outer");
                assertThat(other.getStore()).isNull();
            });
        }

        @Test
        void sameValueRunStillRestoresTheWholeContext() {
            // API.md differs from Node on purpose: Node skips the restore when run's value equals
            // the current one (Object.is), so an enterWith inside leaks; here it never does.
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AsyncLocalStorage<String> other = new AsyncLocalStorage<>();
            als.run(null, () -> {
                als.run(null, () -> {
                    other.enterWith("x");
                    als.enterWith("y");
                });
                assertThat(other.getStore()).isNull();
                assertThat(als.getStore()).isNull();
            });
            als.run("v", () -> {
                als.run("v", () -> als.enterWith("w"));
                assertThat(als.getStore()).isEqualTo("v");
            });
        }
    }

    @Nested
    class RunCallableOp {
        @Test
        void returnsTheResult() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            String result = als.run("store", () -> als.getStore() + "!");
            assertThat(result).isEqualTo("store!");
            assertThat(als.getStore()).isNull();
        }

        @Test
        void nullResultIsReturned() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            Object result = als.run("s", () -> null);
            assertThat(result).isNull();
        }

        @Test
        void checkedExceptionPassesThroughUnchanged() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            IOException failure = new IOException("disk");
            assertThatThrownBy(() -> als.run("s", () -> {
                throw failure;
            })).isSameAs(failure);
            assertThat(als.getStore()).isNull();
        }

        @Test
        void restoresOnThrowIncludingEnterWithOfOtherInstances() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AsyncLocalStorage<String> other = new AsyncLocalStorage<>();
            IOException failure = new IOException("x");
            als.run("outer", () -> {
                assertThatThrownBy(() -> als.run("inner", () -> {
                    other.enterWith("x");
                    throw failure;
                })).isSameAs(failure);
                assertThat(als.getStore()).isEqualTo("outer");
                assertThat(other.getStore()).isNull();
            });
        }
    }

    @Nested
    class Exit {
        @Test
        void exitRunnableShowsTheDefaultAndKeepsOtherInstances() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
            AsyncLocalStorage<String> other = new AsyncLocalStorage<>();
            List<String> seen = new ArrayList<>();
            als.run("x", () -> other.run("o", () -> {
                als.exit(() -> {
                    seen.add(als.getStore());
                    seen.add(other.getStore());
                });
                seen.add(als.getStore());
            }));
            // API.md differs from Node 24 on purpose: exit shows the default value, not undefined.
            assertThat(seen).containsExactly("D", "o", "x");
        }

        @Test
        void exitCallableOpReturnsResult() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            String inside = als.run("x", () -> als.exit(() -> String.valueOf(als.getStore())));
            assertThat(inside).isEqualTo("null");
        }

        @Test
        void exitRestoresWholeContextOnReturnAndThrow() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AsyncLocalStorage<String> other = new AsyncLocalStorage<>();
            als.run("x", () -> {
                als.exit(() -> {
                    als.enterWith("entered");
                    other.enterWith("other");
                });
                assertThat(als.getStore()).isEqualTo("x");
                assertThat(other.getStore()).isNull();
                IOException failure = new IOException();
                assertThatThrownBy(() -> als.exit(() -> {
                    als.enterWith("again");
                    throw failure;
                })).isSameAs(failure);
                assertThat(als.getStore()).isEqualTo("x");
            });
        }

        @Test
        void exitWithNoStoreDoesNotLeakEnterWith() {
            // Node's exit is run(undefined) with the same-value shortcut, so when there is no
            // store an enterWith inside exit leaks (node-semantics 2.2.8); API.md restores always.
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            als.run(null, () -> {
                als.exit(() -> als.enterWith("leak?"));
                assertThat(als.getStore()).isNull();
            });
        }

        @Test
        void workCapturedInsideExitSeesNoStore() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
            Runnable[] captured = new Runnable[1];
            AtomicReference<String> seen = new AtomicReference<>();
            als.run("x", () -> als.exit(() -> captured[0] = AsyncLocalStorage.bind(() -> seen.set(als.getStore()))));
            als.run("y", captured[0]);
            assertThat(seen.get()).isEqualTo("D");
        }
    }

    @Nested
    class EnterWith {
        @Test
        void persistsForTheRestOfTheSynchronousExecution() throws Exception {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            List<String> seen = onNewThread(() -> {
                List<String> s = new ArrayList<>();
                helperThatEnters(als, "entered");
                // not undone at the function boundary
                s.add(als.getStore());
                als.run("nested", () -> s.add(als.getStore()));
                s.add(als.getStore());
                return s;
            });
            assertThat(seen).containsExactly("entered", "nested", "entered");
        }

        private void helperThatEnters(AsyncLocalStorage<String> als, String value) {
            als.enterWith(value);
        }

        @Test
        void isSeenByAsyncWorkCreatedAfterItButNotBefore() throws Exception {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            List<String> seen = onNewThread(() -> {
                List<String> s = new ArrayList<>();
                Runnable before = AsyncLocalStorage.bind(() -> {
                    s.add("before:" + als.getStore());
                });
                als.enterWith("e");
                Runnable after = AsyncLocalStorage.bind(() -> {
                    s.add("after:" + als.getStore());
                });
                als.enterWith("later");
                before.run();
                after.run();
                return s;
            });
            assertThat(seen).containsExactly("before:null", "after:e");
        }

        @Test
        void endedByEnclosingRun() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            als.run("r", () -> als.enterWith("e"));
            assertThat(als.getStore()).isNull();
        }

        @Test
        void endedByEnclosingSnapshotRun() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            Snapshot empty = AsyncLocalStorage.snapshot();
            als.run("outer", () -> {
                empty.run(() -> als.enterWith("e"));
                assertThat(als.getStore()).isEqualTo("outer");
                String r = empty.run(() -> {
                    als.enterWith("e2");
                    return als.getStore();
                });
                assertThat(r).isEqualTo("e2");
                assertThat(als.getStore()).isEqualTo("outer");
            });
        }

        @Test
        void endedByEnclosingRunInAsyncScope() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AsyncResource resource = new AsyncResource("T", 1, true);
            als.run("outer", () -> {
                resource.runInAsyncScope(() -> als.enterWith("e"));
                assertThat(als.getStore()).isEqualTo("outer");
            });
        }

        @Test
        void nullIsLegal() throws Exception {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
            String seen = onNewThread(() -> {
                als.enterWith(null);
                return als.getStore();
            });
            assertThat(seen).isNull();
        }

        @Test
        void doesNotStack() throws Exception {
            // node: issue #36683 - exit does not return to an earlier enterWith value
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            List<String> seen = onNewThread(() -> {
                List<String> s = new ArrayList<>();
                als.enterWith("one");
                als.enterWith("two");
                als.exit(() -> s.add(als.getStore()));
                s.add(als.getStore());
                return s;
            });
            assertThat(seen).containsExactly(null, "two");
        }
    }

    @Nested
    class Disable {
        @Test
        void currentContextSeesDefaultAfterDisable() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
            als.run("x", () -> {
                als.disable();
                assertThat(als.getStore()).isEqualTo("D");
                // exit does not re-enable
                als.exit(() -> assertThat(als.getStore()).isEqualTo("D"));
                assertThat(als.getStore()).isEqualTo("D");
            });
        }

        @Test
        void previouslyCapturedContextsSeeDefault() {
            // API.md differs from Node 24 on purpose: Node only clears the current frame, so work
            // captured in other frames keeps its store; here disable hides it everywhere.
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
            Snapshot captured = als.run("x", () -> AsyncLocalStorage.snapshot());
            Callable<String> bound = als.run("y", () -> AsyncLocalStorage.bind(als::getStore));
            assertThat(captured.run(als::getStore)).isEqualTo("x");
            als.disable();
            assertThat(captured.run(als::getStore)).isEqualTo("D");
            assertThat(callUnchecked(bound)).isEqualTo("D");
        }

        @Test
        void otherThreadInsideRunSeesDefaultAfterDisable() throws Exception {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch disabled = new java.util.concurrent.CountDownLatch(1);
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread observer = new Thread(() -> als.run("w", () -> {
                seen.add(als.getStore());
                inside.countDown();
                await(disabled);
                seen.add(als.getStore());
            }));
            observer.start();
            await(inside);
            als.disable();
            disabled.countDown();
            observer.join(10_000);
            assertThat(seen).containsExactly("w", null);
        }

        @Test
        void runAndEnterWithReEnable() throws Exception {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
            als.disable();
            assertThat(als.getStore()).isEqualTo("D");
            als.run("again", () -> assertThat(als.getStore()).isEqualTo("again"));
            String entered = onNewThread(() -> {
                als.enterWith("entered");
                return als.getStore();
            });
            assertThat(entered).isEqualTo("entered");
        }

        @Test
        void oldStoresNeverBecomeVisibleAgain() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
            Snapshot old = als.run("old", () -> AsyncLocalStorage.snapshot());
            als.disable();
            als.run("new", () -> {
                assertThat(als.getStore()).isEqualTo("new");
                assertThat(old.run(als::getStore)).isEqualTo("D");
                assertThat(als.getStore()).isEqualTo("new");
            });
            assertThat(old.run(als::getStore)).isEqualTo("D");
        }

        @Test
        void disableOfOneInstanceLeavesOthersAlone() {
            AsyncLocalStorage<String> a = new AsyncLocalStorage<>();
            AsyncLocalStorage<String> b = new AsyncLocalStorage<>();
            a.run("a", () -> b.run("b", () -> {
                a.disable();
                assertThat(a.getStore()).isNull();
                assertThat(b.getStore()).isEqualTo("b");
            }));
        }

        @Test
        void disableTwiceIsHarmless() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            als.disable();
            als.disable();
            als.run("x", () -> assertThat(als.getStore()).isEqualTo("x"));
        }
    }

    @Nested
    class SnapshotAndBind {
        @Test
        void snapshotCapturesEveryInstance() {
            AsyncLocalStorage<String> a = new AsyncLocalStorage<>();
            AsyncLocalStorage<Integer> b = new AsyncLocalStorage<>();
            Snapshot snap = a.run("a", () -> b.run(2, () -> AsyncLocalStorage.snapshot()));
            String seen = a.run("other", () -> snap.run(() -> a.getStore() + b.getStore()));
            assertThat(seen).isEqualTo("a2");
        }

        @Test
        void bindRunnableRunsInBindTimeContext() {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            AtomicReference<String> seen = new AtomicReference<>();
            Runnable bound = als.run("bound", () -> AsyncLocalStorage.bind(() -> seen.set(als.getStore())));
            als.run("caller", () -> {
                bound.run();
                assertThat(als.getStore()).isEqualTo("caller");
            });
            assertThat(seen.get()).isEqualTo("bound");
        }

        @Test
        void bindCallableReturnsResultAndPassesExceptionThrough() throws Exception {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            Callable<String> bound = als.run("bound", () -> AsyncLocalStorage.bind(als::getStore));
            assertThat(als.run("caller", bound::call)).isEqualTo("bound");
            Exception failure = new Exception("checked");
            Callable<String> failing = AsyncLocalStorage.bind(() -> {
                throw failure;
            });
            assertThatThrownBy(failing::call).isSameAs(failure);
        }

        @Test
        void boundFunctionRunsOnAnotherThreadInBindContext() throws Exception {
            AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
            Callable<String> bound = als.run("bound", () -> AsyncLocalStorage.bind(als::getStore));
            assertThat(onNewThread(bound)).isEqualTo("bound");
        }
    }

    static String callUnchecked(Callable<String> callable) {
        try {
            return callable.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
