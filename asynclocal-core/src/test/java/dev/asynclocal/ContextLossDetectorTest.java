package dev.asynclocal;

import dev.asynclocal.internal.diagnostics.LossSitesFixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The context-loss detector against each kind of loss the issue names: an executor nobody
 * wrapped, a callback a library runs on its own thread, and a queue whose consumer runs what it
 * takes. Each is provoked twice, once through an expected storage (no tag at the site) and once
 * through a watched task (tagged at the site), and the report must name the right site: the line
 * where the work was written or created, and the boundary that ran it.
 */
class ContextLossDetectorTest {
    private static final String FILE = "ContextLossDetectorTest.java";

    private final List<ContextLossDetector.Loss> reported = new CopyOnWriteArrayList<>();
    private final AsyncLocalStorage<String> requestId = new AsyncLocalStorage<>("requestId");
    private ExecutorService pool;

    @BeforeEach
    void enable() {
        LossSitesFixture.clear();
        ContextLossDetector.setListener(reported::add);
        ContextLossDetector.enable();
        pool = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void disable() throws InterruptedException {
        ContextLossDetector.disable();
        ContextLossDetector.setListener(null);
        LossSitesFixture.clear();
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** The line number of the caller's next line. */
    private static int nextLine() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow().getLineNumber() + 1;
    }

    // ------------------------------------------------------------ an executor nobody wrapped

    @Test
    void unwrappedExecutorReadOfAnExpectedStorageNamesTheLambdaAndRunWorker() throws Exception {
        ContextLossDetector.expectStore(requestId);
        int[] line = new int[1];
        requestId.run("r-1", () -> {
            line[0] = nextLine();
            pool.submit(() -> requestId.getStore());
        });
        pool.submit(() -> null).get(10, TimeUnit.SECONDS);

        assertThat(reported).singleElement().satisfies(loss -> {
            assertThat(loss.kind()).isEqualTo(ContextLossDetector.Loss.Kind.EXPECTED_STORE);
            assertThat(loss.storageName()).isEqualTo("requestId");
            StackTraceElement work = loss.site().get(loss.site().size() - 1);
            assertThat(work.getFileName()).isEqualTo(FILE);
            assertThat(work.getMethodName()).startsWith("lambda$");
            assertThat(work.getLineNumber()).isEqualTo(line[0]);
            assertThat(loss.boundary().getClassName()).startsWith("java.util.concurrent.");
            assertThat(loss.threadName()).startsWith("pool-");
            assertThat(loss.report())
                    .contains("requestId.getStore() found no store")
                    .contains("the thread runs outside any context")
                    .contains(FILE + ":" + line[0] + ")   <- the work (a lambda: created at this line)")
                    .contains("lost at the boundary that ran the work:");
        });
    }

    @Test
    void guardedExecutorReportsTheExecuteCallAsTheCreationSite() throws Exception {
        java.util.concurrent.Executor guarded = ContextLossDetector.guard(pool);
        CountDownLatch ran = new CountDownLatch(1);
        int[] line = new int[1];
        requestId.run("r-2", () -> {
            line[0] = nextLine();
            guarded.execute(ran::countDown);
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        pool.submit(() -> null).get(10, TimeUnit.SECONDS);

        assertThat(reported).singleElement().satisfies(loss -> {
            assertThat(loss.kind()).isEqualTo(ContextLossDetector.Loss.Kind.WATCHED_WORK);
            assertThat(loss.storageName()).isNull();
            StackTraceElement created = loss.site().get(0);
            assertThat(created.getFileName()).isEqualTo(FILE);
            assertThat(created.getLineNumber()).isEqualTo(line[0]);
            assertThat(loss.boundary().getClassName()).isEqualTo("java.util.concurrent.ThreadPoolExecutor");
            assertThat(loss.boundary().getMethodName()).isEqualTo("runWorker");
            assertThat(loss.report())
                    .startsWith("asynclocal: context lost: work created inside a context ran without it")
                    .contains("created at:\n    at " + created)
                    .contains("lost at the boundary that ran the work:\n    at java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(");
        });
    }

    // ------------------------------------------------------------ a library's own callback thread

    @Test
    void libraryCallbackReadOfAnExpectedStorageIsReportedOnTheLibrarysThread() throws Exception {
        ContextLossDetector.expectStore(requestId);
        try (CallbackLibrary library = new CallbackLibrary()) {
            int[] line = new int[1];
            CompletableFuture<String> seen = new CompletableFuture<>();
            requestId.run("r-3", () -> {
                line[0] = nextLine();
                library.onEvent(event -> seen.complete(requestId.getStore()));
            });
            library.fire("ping");
            assertThat(seen.get(10, TimeUnit.SECONDS)).isNull();

            assertThat(reported).singleElement().satisfies(loss -> {
                assertThat(loss.threadName()).isEqualTo(CallbackLibrary.THREAD_NAME);
                // The callback is application code, and so is the library's loop here: the read's
                // stack shows the callback, and the boundary is where the library's thread began.
                assertThat(loss.site()).anySatisfy(frame -> {
                    assertThat(frame.getFileName()).isEqualTo(FILE);
                    assertThat(frame.getLineNumber()).isEqualTo(line[0]);
                });
                assertThat(loss.boundary().getClassName()).isEqualTo("java.lang.Thread");
                assertThat(loss.boundary().getMethodName()).startsWith("run"); // runWith on 21+
            });
        }
    }

    @Test
    void watchedLibraryCallbackNamesTheRegistrationAndTheLibrarysDeliveryAsBoundary() throws Exception {
        try (CallbackLibrary library = new CallbackLibrary()) {
            int[] line = new int[1];
            CountDownLatch called = new CountDownLatch(1);
            requestId.run("r-4", () -> {
                line[0] = nextLine();
                library.onEvent(ContextLossDetector.watch(called::countDown));
            });
            library.fire("ping");
            assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(reported).singleElement().satisfies(loss -> {
                assertThat(loss.site().get(0).getLineNumber()).isEqualTo(line[0]);
                // The Runnable overload of onEvent adapts the listener in a lambda of the library's,
                // which is where the library hands the callback over.
                assertThat(loss.boundary().getClassName()).isEqualTo(CallbackLibrary.class.getName());
                assertThat(loss.boundary().getMethodName()).startsWith("lambda$onEvent$");
                assertThat(loss.report()).contains(CallbackLibrary.class.getName() + ".deliver(");
            });
        }
    }

    // ------------------------------------------------------------ a queue that drops the context

    @Test
    void queueConsumerRunningAWatchedTaskNamesTheEnqueueAndTheConsumerLoop() throws Exception {
        BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        CountDownLatch ran = new CountDownLatch(1);
        int[] line = new int[1];
        requestId.run("r-5", () -> {
            line[0] = nextLine();
            queue.add(ContextLossDetector.watch(ran::countDown));
        });
        Thread consumer = new Thread(() -> drain(queue), "queue-consumer");
        consumer.start();
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        consumer.interrupt();
        consumer.join(10_000);

        assertThat(reported).singleElement().satisfies(loss -> {
            assertThat(loss.site().get(0).getLineNumber()).isEqualTo(line[0]);
            assertThat(loss.site().get(0).getFileName()).isEqualTo(FILE);
            assertThat(loss.boundary().getMethodName()).isEqualTo("drain");
            assertThat(loss.threadName()).isEqualTo("queue-consumer");
        });
    }

    @Test
    void queueConsumerReadOfAnExpectedStorageNamesTheTask() throws Exception {
        ContextLossDetector.expectStore(requestId);
        BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        CompletableFuture<String> seen = new CompletableFuture<>();
        int[] line = new int[1];
        requestId.run("r-6", () -> {
            line[0] = nextLine();
            queue.add(() -> seen.complete(requestId.getStore()));
        });
        Thread consumer = new Thread(() -> drain(queue), "queue-consumer");
        consumer.start();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isNull();
        consumer.interrupt();
        consumer.join(10_000);

        assertThat(reported).singleElement().satisfies(loss ->
                assertThat(loss.site()).anySatisfy(frame -> {
                    assertThat(frame.getMethodName()).startsWith("lambda$");
                    assertThat(frame.getLineNumber()).isEqualTo(line[0]);
                }));
    }

    private static void drain(BlockingQueue<Runnable> queue) {
        try {
            while (true) {
                queue.take().run();
            }
        } catch (InterruptedException e) {
            // the test is done with this consumer
        }
    }

    // ------------------------------------------------------------ counting, partial loss, no loss

    @Test
    void eachSiteIsReportedOnceAndCountedEveryTime() throws Exception {
        ContextLossDetector.expectStore(requestId);
        for (int i = 0; i < 5; i++) {
            requestId.run("r-" + i, () -> pool.execute(() -> requestId.getStore()));
        }
        pool.submit(() -> null).get(10, TimeUnit.SECONDS);

        assertThat(reported).hasSize(1);
        assertThat(ContextLossDetector.losses()).singleElement().satisfies(loss -> {
            assertThat(loss.count()).isEqualTo(5);
            assertThat(loss.toString()).endsWith("[5x]");
        });
    }

    @Test
    void aWatchedTaskRunningWithPartOfItsContextIsALossThatSaysHowMuchArrived() throws Exception {
        AsyncLocalStorage<String> user = new AsyncLocalStorage<>("user");
        Runnable[] task = new Runnable[1];
        requestId.run("r-7", () -> user.run("alice", () -> task[0] = ContextLossDetector.watch(() -> { })));
        // The callback arrives with the user but without the request id.
        user.run("alice", task[0]);

        assertThat(reported).singleElement().satisfies(loss -> assertThat(loss.report())
                .contains("the thread's context carries 1 of the 2 store(s) the work was created with"));
    }

    @Test
    void workThatArrivesWithItsContextIsNotALoss() throws Exception {
        ContextLossDetector.expectStore(requestId);
        ExecutorService wrapped = AsyncExecutors.wrap(pool);
        Future<String> read = requestId.run("r-8", () -> wrapped.submit(
                ContextLossDetector.watch(() -> requestId.getStore())));
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo("r-8");
        // A superset of the creation context carries it too.
        AsyncLocalStorage<String> other = new AsyncLocalStorage<>("other");
        Runnable task = requestId.run("r-9", () -> ContextLossDetector.watch(() -> { }));
        requestId.run("r-9", () -> other.run("x", task));

        assertThat(reported).isEmpty();
        assertThat(ContextLossDetector.losses()).isEmpty();
    }

    @Test
    void offTheDetectorReportsNothingAndTagsNothing() throws Exception {
        ContextLossDetector.disable();
        ContextLossDetector.expectStore(requestId);
        Runnable plain = () -> { };
        assertThat(requestId.run("r-10", () -> ContextLossDetector.watch(plain))).isSameAs(plain);
        pool.submit(() -> requestId.getStore()).get(10, TimeUnit.SECONDS);
        requestId.run("r-11", () -> ContextLossDetector.guard(pool).execute(plain));
        pool.submit(() -> null).get(10, TimeUnit.SECONDS);

        assertThat(reported).isEmpty();
        assertThat(ContextLossDetector.isEnabled()).isFalse();
    }

    @Test
    void watchOutsideAnyContextReturnsTheTaskItself() {
        Runnable plain = () -> { };
        assertThat(ContextLossDetector.watch(plain)).isSameAs(plain);
        java.util.concurrent.Callable<String> call = () -> "x";
        assertThat(ContextLossDetector.watch(call)).isSameAs(call);
    }

    @Test
    void aWatchedCallableIsCheckedToo() throws Exception {
        java.util.concurrent.Callable<String> task = requestId.run("r-12",
                () -> ContextLossDetector.watch(() -> "done"));
        assertThat(pool.submit(task).get(10, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(reported).singleElement()
                .satisfies(loss -> assertThat(loss.kind()).isEqualTo(ContextLossDetector.Loss.Kind.WATCHED_WORK));
    }

    @Test
    void aReadInTheThreadsOwnCodeHasNoBoundary() {
        ContextLossDetector.expectStore(requestId);
        // The test method runs on the launcher's main thread, at the bottom of no JDK frames:
        // nothing handed this code over, so there is no boundary to name.
        requestId.getStore();

        assertThat(reported).singleElement().satisfies(loss -> {
            assertThat(loss.boundary()).isNull();
            assertThat(loss.report()).contains("no boundary: the read is in the thread's own code");
        });
    }

    @Test
    void aListenerThatLosesAContextItselfDoesNotRecurse() throws Exception {
        ContextLossDetector.expectStore(requestId);
        List<String> inside = new CopyOnWriteArrayList<>();
        Consumer<ContextLossDetector.Loss> nosy = loss -> inside.add(String.valueOf(requestId.getStore()));
        ContextLossDetector.setListener(nosy);
        pool.submit(() -> requestId.getStore()).get(10, TimeUnit.SECONDS);

        assertThat(inside).containsExactly("null");
        assertThat(ContextLossDetector.losses()).hasSize(1);
    }

    @Test
    void theDefaultListenerPrintsTheReportOnStandardError() throws Exception {
        ContextLossDetector.setListener(null);
        ContextLossDetector.expectStore(requestId);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            java.util.concurrent.Callable<String> read = () -> requestId.getStore();
            pool.submit(read).get(10, TimeUnit.SECONDS);
            pool.submit(read).get(10, TimeUnit.SECONDS);
        } finally {
            System.setErr(original);
        }
        String printed = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(printed).startsWith("asynclocal: context lost: requestId.getStore() found no store");
        assertThat(printed.split("asynclocal: context lost", -1)).as("printed once").hasSize(2);
    }

    @Test
    void nullArgumentsAreRejectedWithTheParameterName() {
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ContextLossDetector.watch((Runnable) null)).withMessageContaining("task");
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ContextLossDetector.watch((java.util.concurrent.Callable<?>) null))
                .withMessageContaining("task");
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ContextLossDetector.guard(null)).withMessageContaining("executor");
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ContextLossDetector.expectStore(null)).withMessageContaining("storage");
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ContextLossDetector.guard(pool).execute(null)).withMessageContaining("command");
        ContextLossDetector.setListener(null); // null is legal: the default listener
    }

    @Test
    void pastTheLimitOfSitesNewSitesAreOnlyCounted() throws Exception {
        LossSitesFixture.limit(2);
        try {
            java.util.concurrent.Callable<Object> task = () -> null;
            pool.submit(requestId.run("a", () -> ContextLossDetector.watch(task))).get(10, TimeUnit.SECONDS);
            pool.submit(requestId.run("b", () -> ContextLossDetector.watch(task))).get(10, TimeUnit.SECONDS);
            pool.submit(requestId.run("c", () -> ContextLossDetector.watch(task))).get(10, TimeUnit.SECONDS);
            pool.submit(requestId.run("a", () -> ContextLossDetector.watch(task))).get(10, TimeUnit.SECONDS);
            assertThat(reported).hasSize(2);
            assertThat(ContextLossDetector.losses()).extracting(ContextLossDetector.Loss::count).containsExactly(1L, 1L);
            assertThat(LossSitesFixture.dropped()).isEqualTo(2);
        } finally {
            LossSitesFixture.clear();
        }
    }
}
