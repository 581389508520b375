package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.ContextLossDetector;
import dev.asynclocal.ContextLossDetector.Loss.Kind;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Threads that libraries and colleagues start lazily, for the first time inside request A, then
 * used by request B and by work with no context: B never sees A, work with no context sees
 * nothing, and a thread started for one piece of work still sees its starter's context (the rule
 * is in docs/agent.md, "New threads").
 */
class LongLivedThreadsIT {
    static final String A = "request-A";
    static final String B = "request-B";

    /** A hand-written executor: a queue drained by one thread, started on first use. */
    static final class QueueExecutor {
        private final BlockingQueue<Runnable> queue;
        private final boolean timedPoll;
        private final ThreadFactory factory;
        private Thread worker;

        QueueExecutor(BlockingQueue<Runnable> queue, boolean timedPoll, ThreadFactory factory) {
            this.queue = queue;
            this.timedPoll = timedPoll;
            this.factory = factory;
        }

        synchronized void execute(Runnable task) throws InterruptedException {
            if (worker == null) {
                worker = factory.newThread(this::drain);
                worker.setDaemon(true);
                worker.start();
            }
            queue.put(task);
        }

        private void drain() {
            try {
                while (true) {
                    Runnable task = timedPoll ? queue.poll(100, TimeUnit.MILLISECONDS) : queue.take();
                    if (task != null) {
                        task.run();
                    }
                }
            } catch (InterruptedException stop) {
                // the executor is done
            }
        }

        synchronized void stop() {
            if (worker != null) {
                worker.interrupt();
            }
        }
    }

    /** What a task saw, recorded when it ran. */
    static final class Seen {
        private final CountDownLatch ran = new CountDownLatch(1);
        private final AtomicReference<String> store = new AtomicReference<>("not run");

        Runnable task() {
            return () -> {
                store.set(STORE.getStore());
                ran.countDown();
            };
        }

        String get() throws InterruptedException {
            Kit.await(ran);
            return store.get();
        }
    }

    static String seenBy(ThrowingConsumer<Runnable> submit, String context) throws Exception {
        Seen seen = new Seen();
        if (context == null) {
            submit.accept(seen.task());
        } else {
            STORE.run(context, () -> {
                try {
                    submit.accept(seen.task());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        return seen.get();
    }

    @FunctionalInterface
    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    static BlockingQueue<Runnable> queue(String kind) {
        switch (kind) {
            case "LinkedBlockingQueue": return new LinkedBlockingQueue<>();
            case "ArrayBlockingQueue": return new ArrayBlockingQueue<>(16);
            case "SynchronousQueue": return new SynchronousQueue<>();
            case "LinkedTransferQueue": return new LinkedTransferQueue<>();
            default: throw new IllegalArgumentException(kind);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LinkedBlockingQueue", "ArrayBlockingQueue", "SynchronousQueue", "LinkedTransferQueue"})
    void aQueueExecutorStartedLazilyInsideARequestServesNobodyInItsContext(String kind) throws Exception {
        QueueExecutor executor = new QueueExecutor(queue(kind), false, task -> new Thread(task, "lazy-" + kind));
        try {
            String first = seenBy(executor::execute, A);
            assertThat(first).as("the task that started the worker").isNotEqualTo("not run");
            for (int i = 0; i < 20; i++) {
                assertThat(seenBy(executor::execute, B)).as("a task of request B").isNull();
                assertThat(seenBy(executor::execute, null)).as("a task submitted outside any context").isNull();
            }
        } finally {
            executor.stop();
        }
    }

    @Test
    void aWorkerThatPollsWithATimeoutLetsGoToo() throws Exception {
        QueueExecutor executor = new QueueExecutor(new LinkedBlockingQueue<>(), true, task -> new Thread(task, "lazy-poll"));
        try {
            seenBy(executor::execute, A);
            assertThat(seenBy(executor::execute, B)).isNull();
            assertThat(seenBy(executor::execute, null)).isNull();
        } finally {
            executor.stop();
        }
    }

    /** A worker that parks on a lock-free queue: the agent cannot see it wait. */
    static final class ParkingExecutor {
        private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
        private final Supplier<Thread> makeWorker;
        private volatile Thread worker;

        ParkingExecutor(java.util.function.Function<Runnable, Thread> factory) {
            this.makeWorker = () -> factory.apply(this::drain);
        }

        synchronized void execute(Runnable task) {
            queue.add(task);
            if (worker == null) {
                worker = makeWorker.get();
                worker.setDaemon(true);
                worker.start();
            }
            LockSupport.unpark(worker);
        }

        private void drain() {
            while (!Thread.currentThread().isInterrupted()) {
                Runnable task = queue.poll();
                if (task == null) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                } else {
                    task.run();
                }
            }
        }

        void stop() {
            Thread w = worker;
            if (w != null) {
                w.interrupt();
            }
        }
    }

    static final class WorkerThread extends Thread {
        WorkerThread(Runnable loop) {
            super(loop, "subclass-worker");
        }
    }

    static final class NamedFactory implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return new Thread(r, "factory-made-" + count.incrementAndGet());
        }
    }

    @Test
    void aThreadSubclassInheritsNothing() throws Exception {
        ParkingExecutor executor = new ParkingExecutor(WorkerThread::new);
        try {
            assertThat(seenBy(executor::execute, A)).isNull();
            assertThat(seenBy(executor::execute, B)).isNull();
            assertThat(seenBy(executor::execute, null)).isNull();
        } finally {
            executor.stop();
        }
    }

    @Test
    void aThreadMadeByAThreadFactoryInheritsNothing() throws Exception {
        NamedFactory factory = new NamedFactory();
        ParkingExecutor executor = new ParkingExecutor(factory::newThread);
        try {
            assertThat(seenBy(executor::execute, A)).isNull();
            assertThat(seenBy(executor::execute, B)).isNull();
            assertThat(seenBy(executor::execute, null)).isNull();
        } finally {
            executor.stop();
        }
    }

    @Test
    void aPoolWithItsOwnThreadFactoryStartedInsideARequestKeepsNothing() throws Exception {
        ExecutorService pool = STORE.run(A, () -> Executors.newCachedThreadPool(new NamedFactory()));
        ExecutorService lambdaFactoryPool = STORE.run(A, () -> Executors.newFixedThreadPool(2, r -> new Thread(r)));
        try {
            for (ExecutorService p : List.of(pool, lambdaFactoryPool)) {
                assertThat(seenBy(p::execute, A)).isEqualTo(A);
                assertThat(seenBy(p::execute, B)).isEqualTo(B);
                assertThat(seenBy(p::execute, null)).isNull();
            }
        } finally {
            pool.shutdownNow();
            lambdaFactoryPool.shutdownNow();
        }
    }

    @Test
    void aTimerCreatedInsideARequestRunsEachTaskInItsSchedulersContext() throws Exception {
        Timer timer = STORE.run(A, () -> new Timer("timer-made-in-A", true));
        try {
            assertThat(seenBy(task -> timer.schedule(timerTask(task), 1), B)).isEqualTo(B);
            assertThat(seenBy(task -> timer.schedule(timerTask(task), 1), null)).isNull();
            assertThat(seenBy(task -> timer.schedule(timerTask(task), 1), A)).isEqualTo(A);
        } finally {
            timer.cancel();
        }
    }

    static TimerTask timerTask(Runnable task) {
        return new TimerTask() {
            @Override
            public void run() {
                task.run();
            }
        };
    }

    // ------------------------------------------------------------------ one thread per piece of work

    @Test
    void aThreadStartedForOnePieceOfWorkKeepsItsStartersContextThroughOrdinaryWaits() throws Exception {
        AtomicReference<List<String>> seen = new AtomicReference<>();
        CompletableFuture<String> reply = new CompletableFuture<>();
        CountDownLatch go = new CountDownLatch(1);
        Thread perTask = STORE.run(A, () -> {
            Thread t = new Thread(() -> {
                List<String> stores = new ArrayList<>();
                stores.add(STORE.getStore());
                try {
                    go.await();
                    stores.add(STORE.getStore());
                    Thread.sleep(1);
                    stores.add(STORE.getStore());
                    stores.add(reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS) + ":" + STORE.getStore());
                    Thread child = new Thread(() -> { });
                    child.start();
                    child.join();
                    stores.add(STORE.getStore());
                    synchronized (this) {
                        wait(1);
                    }
                    stores.add(STORE.getStore());
                } catch (Exception e) {
                    stores.add(e.toString());
                }
                seen.set(stores);
            });
            t.start();
            return t;
        });
        go.countDown();
        reply.complete("reply");
        perTask.join(TIMEOUT_SECONDS * 1000);
        assertThat(seen.get()).containsExactly(A, A, A, "reply:" + A, A, A);
    }

    @Test
    void waitingForInputOnAQueueLetsGoUnlessTheTaskIsBoundOrSetsItsOwnContext() throws Exception {
        BlockingQueue<String> input = new LinkedBlockingQueue<>(List.of("x", "y", "z"));
        AtomicReference<String> plain = new AtomicReference<>("not run");
        AtomicReference<String> bound = new AtomicReference<>("not run");
        AtomicReference<String> own = new AtomicReference<>("not run");
        List<Thread> threads = STORE.run(A, () -> List.of(
                new Thread(() -> plain.set(take(input) + STORE.getStore())),
                new Thread(AsyncLocalStorage.bind(() -> bound.set(take(input) + STORE.getStore()))),
                new Thread(() -> STORE.run(STORE.getStore(), () -> own.set(take(input) + STORE.getStore())))));
        STORE.run(A, () -> threads.forEach(Thread::start));
        for (Thread t : threads) {
            t.join(TIMEOUT_SECONDS * 1000);
        }
        assertThat(plain.get()).as("a plain thread that waits for input is taken for a worker").endsWith("null");
        assertThat(bound.get()).as("an explicitly bound task keeps its context").endsWith(A);
        assertThat(own.get()).as("a context the thread sets itself is kept").endsWith(A);
    }

    private static String take(BlockingQueue<String> queue) {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTaskOnAPoolThatWaitsOnAQueueKeepsItsContext() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            BlockingQueue<String> replies = new ArrayBlockingQueue<>(1);
            CompletableFuture<String> seen = STORE.run(A, () -> CompletableFuture.supplyAsync(() -> {
                String reply = take(replies);
                return reply + ":" + STORE.getStore();
            }, pool));
            replies.put("reply");
            assertThat(seen.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("reply:" + A);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anEventLoopThreadLetsGoWhenItSelects() throws Exception {
        AtomicReference<String> before = new AtomicReference<>("not run");
        AtomicReference<String> after = new AtomicReference<>("not run");
        Thread loop = STORE.run(A, () -> new Thread(() -> {
            before.set(STORE.getStore());
            try (Selector selector = Selector.open()) {
                selector.select(1);
                after.set(STORE.getStore());
            } catch (Exception e) {
                after.set(e.toString());
            }
        }, "selector-loop"));
        STORE.run(A, loop::start);
        loop.join(TIMEOUT_SECONDS * 1000);
        assertThat(before.get()).isEqualTo(A);
        assertThat(after.get()).isNull();
    }

    // ------------------------------------------------------------------ diagnostics

    @Test
    void theLossDetectorReportsAReleaseAndAWorkerThatKeepsWhatItInherited() throws Exception {
        List<ContextLossDetector.Loss> reported = new CopyOnWriteArrayList<>();
        boolean wasEnabled = ContextLossDetector.isEnabled();
        ContextLossDetector.setListener(reported::add);
        ContextLossDetector.enable();
        QueueExecutor queued = new QueueExecutor(new LinkedBlockingQueue<>(), false, r -> new Thread(r, "reported-queue"));
        ParkingExecutor parking = new ParkingExecutor(loop -> new Thread(loop, "reported-parking"));
        try {
            seenBy(queued::execute, A);
            assertThat(seenBy(task -> parking.execute(task), A)).as("a parking worker cannot be seen waiting").isEqualTo(A);
            // Work captured in request B, run by the worker that still holds A: the sign of a leak.
            assertThat(seenBy(task -> parking.execute(AsyncLocalStorage.bind(task)), B)).isEqualTo(B);
            Kit.awaitTrue(() -> reported.stream().anyMatch(loss -> loss.kind() == Kind.INHERITED_CONTEXT_ON_WORKER),
                    "a report of the worker holding its inherited context");
            assertThat(reported).anySatisfy(loss -> {
                assertThat(loss.kind()).isEqualTo(Kind.INHERITED_CONTEXT_RELEASED);
                assertThat(loss.report()).contains("reported-queue").contains("LinkedBlockingQueue.take");
            });
            assertThat(reported).filteredOn(loss -> loss.kind() == Kind.INHERITED_CONTEXT_ON_WORKER)
                    .allSatisfy(loss -> assertThat(loss.report()).contains("reported-parking"));
        } finally {
            queued.stop();
            parking.stop();
            ContextLossDetector.setListener(null);
            if (!wasEnabled) {
                ContextLossDetector.disable();
            }
        }
    }

    // ------------------------------------------------------------------ soak

    @Test
    void manyRequestsManyLazilyStartedThreadsNobodySeesAnotherRequest() throws Exception {
        int requests = 64;
        int tasksPerRequest = 50;
        QueueExecutor shared = new QueueExecutor(new LinkedBlockingQueue<>(), false, r -> new Thread(r, "shared-lazy"));
        ExecutorService callers = Executors.newFixedThreadPool(8);
        Map<String, String> wrong = new ConcurrentHashMap<>();
        AtomicInteger checked = new AtomicInteger();
        List<QueueExecutor> own = new ArrayList<>();
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int r = 0; r < requests; r++) {
                String request = "req-" + r;
                QueueExecutor mine = new QueueExecutor(new LinkedBlockingQueue<>(), r % 2 == 0,
                        task -> new Thread(task, "lazy-" + request));
                own.add(mine);
                all.add(CompletableFuture.runAsync(() -> STORE.run(request, () -> {
                    CountDownLatch done = new CountDownLatch(2 * tasksPerRequest);
                    for (int i = 0; i < tasksPerRequest; i++) {
                        Runnable check = () -> {
                            String store = STORE.getStore();
                            if (store != null && !store.equals(request)) {
                                wrong.put(request + "#" + Thread.currentThread().getName(), store);
                            }
                            checked.incrementAndGet();
                            done.countDown();
                        };
                        try {
                            shared.execute(check);
                            mine.execute(check);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    Kit.awaitQuietly(done);
                }), callers));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
            assertThat(checked.get()).isEqualTo(requests * tasksPerRequest * 2);
            assertThat(wrong).as("tasks that saw another request's store").isEmpty();
        } finally {
            shared.stop();
            own.forEach(QueueExecutor::stop);
            callers.shutdownNow();
        }
    }
}
