package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.TIMEOUT_SECONDS;
import static dev.asynclocal.agent.LongLivedThreadsIT.A;
import static dev.asynclocal.agent.LongLivedThreadsIT.B;
import static dev.asynclocal.agent.LongLivedThreadsIT.seenBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Waiting for work on a {@code Condition} (docs/agent.md, "New threads"): a plain thread started
 * inside request A that awaits a {@code Condition} in code of its own (as Kafka's consumer waits
 * for fetched records) lets go of A there, as on a queue; a thread that set its own context, a
 * bound task and a pool task keep theirs across such a wait; and the JDK's own synchronizers that
 * await {@code Condition}s inside (a full bounded queue's {@code put}, {@code CyclicBarrier},
 * {@code awaitTermination}) are ordinary waits that keep the context.
 */
class ConditionWaitIT {
    /** The five await methods of {@code Condition}. */
    enum Await {
        AWAIT {
            @Override
            void on(Condition condition) throws InterruptedException {
                condition.await();
            }
        },
        AWAIT_NANOS {
            @Override
            void on(Condition condition) throws InterruptedException {
                condition.awaitNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        },
        AWAIT_TIME_UNIT {
            @Override
            void on(Condition condition) throws InterruptedException {
                condition.await(50, TimeUnit.MILLISECONDS);
            }
        },
        AWAIT_UNTIL {
            @Override
            void on(Condition condition) throws InterruptedException {
                condition.awaitUntil(new Date(System.currentTimeMillis() + 50));
            }
        },
        AWAIT_UNINTERRUPTIBLY {
            @Override
            void on(Condition condition) {
                condition.awaitUninterruptibly();
            }
        };

        abstract void on(Condition condition) throws InterruptedException;
    }

    /** A lock on {@code AbstractQueuedLongSynchronizer}, whose {@code Condition} is a class of its own. */
    static final class LongMutex implements Lock {
        private final Sync sync = new Sync();

        static final class Sync extends AbstractQueuedLongSynchronizer {
            private static final long serialVersionUID = 1;

            @Override
            protected boolean tryAcquire(long ignored) {
                if (compareAndSetState(0, 1)) {
                    setExclusiveOwnerThread(Thread.currentThread());
                    return true;
                }
                return false;
            }

            @Override
            protected boolean tryRelease(long ignored) {
                setExclusiveOwnerThread(null);
                setState(0);
                return true;
            }

            @Override
            protected boolean isHeldExclusively() {
                return getExclusiveOwnerThread() == Thread.currentThread();
            }
        }

        @Override
        public void lock() {
            sync.acquire(1);
        }

        @Override
        public void unlock() {
            sync.release(1);
        }

        @Override
        public Condition newCondition() {
            return sync.new ConditionObject();
        }

        @Override
        public void lockInterruptibly() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean tryLock() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }
    }

    /** A hand-written executor: a deque drained by one thread, started on first use, that waits on a {@code Condition}. */
    static final class ConditionExecutor {
        private final Lock lock;
        private final Condition workArrived;
        private final Await await;
        private final Deque<Runnable> tasks = new ArrayDeque<>();
        private Thread worker;
        private boolean stopped;

        ConditionExecutor(Lock lock, Await await) {
            this.lock = lock;
            this.workArrived = lock.newCondition();
            this.await = await;
        }

        void execute(Runnable task) {
            lock.lock();
            try {
                if (worker == null) {
                    worker = new Thread(this::drain, "condition-" + await);
                    worker.setDaemon(true);
                    worker.start();
                }
                tasks.add(task);
                workArrived.signal();
            } finally {
                lock.unlock();
            }
        }

        private void drain() {
            try {
                while (true) {
                    Runnable task;
                    lock.lock();
                    try {
                        while (tasks.isEmpty()) {
                            if (stopped) {
                                return;
                            }
                            await.on(workArrived);
                        }
                        task = tasks.poll();
                    } finally {
                        lock.unlock();
                    }
                    task.run();
                }
            } catch (InterruptedException stop) {
                // the executor is done
            }
        }

        /** Returns once the worker waits for work (the thread lets go only when it actually waits). */
        void awaitIdle() throws InterruptedException {
            awaitWaiting(worker);
        }

        void stop() {
            lock.lock();
            try {
                stopped = true;
                workArrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    static Stream<Arguments> locksAndAwaits() {
        List<Arguments> cases = new ArrayList<>();
        for (Await await : Await.values()) {
            cases.add(Arguments.of("ReentrantLock", (Supplier<Lock>) ReentrantLock::new, await));
        }
        // Kafka's form, on the other synchronizers whose conditions are the JDK's ConditionObject classes
        cases.add(Arguments.of("ReentrantReadWriteLock",
                (Supplier<Lock>) () -> new ReentrantReadWriteLock().writeLock(), Await.AWAIT_TIME_UNIT));
        cases.add(Arguments.of("AbstractQueuedLongSynchronizer", (Supplier<Lock>) LongMutex::new, Await.AWAIT_TIME_UNIT));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("locksAndAwaits")
    void aConditionExecutorStartedLazilyInsideARequestServesNobodyInItsContext(String lock, Supplier<Lock> locks,
            Await await) throws Exception {
        ConditionExecutor executor = new ConditionExecutor(locks.get(), await);
        try {
            assertThat(seenBy(executor::execute, A)).as("the task that started the worker").isNotEqualTo("not run");
            for (int i = 0; i < 10; i++) {
                executor.awaitIdle();
                assertThat(seenBy(executor::execute, B)).as("a task of request B").isNull();
                executor.awaitIdle();
                assertThat(seenBy(executor::execute, null)).as("a task submitted outside any context").isNull();
            }
        } finally {
            executor.stop();
        }
    }

    /** One value handed from one thread to another through a {@code Condition}. */
    static final class Mailbox {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition delivered = lock.newCondition();
        private String value;

        String take() {
            lock.lock();
            try {
                while (value == null) {
                    delivered.awaitUninterruptibly();
                }
                return value;
            } finally {
                lock.unlock();
            }
        }

        void put(String v) {
            lock.lock();
            try {
                value = v;
                delivered.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void waitingForInputOnAConditionLetsGoUnlessTheTaskIsBoundOrSetsItsOwnContext() throws Exception {
        Mailbox input = new Mailbox();
        AtomicReference<String> plain = new AtomicReference<>("not run");
        AtomicReference<String> bound = new AtomicReference<>("not run");
        AtomicReference<String> own = new AtomicReference<>("not run");
        List<Thread> threads = STORE.run(A, () -> List.of(
                new Thread(() -> plain.set(input.take() + ":" + STORE.getStore())),
                new Thread(AsyncLocalStorage.bind(() -> bound.set(input.take() + ":" + STORE.getStore()))),
                new Thread(() -> STORE.run(STORE.getStore(), () -> own.set(input.take() + ":" + STORE.getStore())))));
        STORE.run(A, () -> threads.forEach(Thread::start));
        for (Thread t : threads) {
            awaitWaiting(t);
        }
        input.put("x");
        for (Thread t : threads) {
            t.join(TIMEOUT_SECONDS * 1000);
        }
        assertThat(plain.get()).as("a plain thread that waits for input is taken for a worker").isEqualTo("x:null");
        assertThat(bound.get()).as("an explicitly bound task keeps its context").isEqualTo("x:" + A);
        assertThat(own.get()).as("a context the thread sets itself is kept").isEqualTo("x:" + A);
    }

    @Test
    void aTaskOnAPoolThatAwaitsAConditionKeepsItsContext() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            Mailbox reply = new Mailbox();
            CompletableFuture<String> seen = STORE.run(A, () -> CompletableFuture.supplyAsync(
                    () -> reply.take() + ":" + STORE.getStore(), pool));
            reply.put("reply");
            assertThat(seen.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("reply:" + A);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThreadStartedForOnePieceOfWorkKeepsItsContextThroughTheJdksOwnConditionWaits() throws Exception {
        ArrayBlockingQueue<String> bounded = new ArrayBlockingQueue<>(1);
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        CountDownLatch poolTaskMayEnd = new CountDownLatch(1);
        pool.execute(() -> Kit.awaitQuietly(poolTaskMayEnd));
        pool.shutdown();
        AtomicReference<List<String>> seen = new AtomicReference<>();
        Thread perTask = STORE.run(A, () -> new Thread(() -> {
            List<String> stores = new ArrayList<>();
            try {
                bounded.put("first");
                bounded.put("second"); // the queue is full: waits on its Condition until the test takes
                stores.add(STORE.getStore());
                barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                stores.add(STORE.getStore());
                pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                stores.add(STORE.getStore());
            } catch (Exception e) {
                stores.add(e.toString());
            }
            seen.set(stores);
        }, "one-piece-of-work"));
        STORE.run(A, perTask::start);
        awaitWaiting(perTask);
        bounded.take();
        awaitWaiting(perTask);
        barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        awaitWaiting(perTask);
        poolTaskMayEnd.countDown();
        perTask.join(TIMEOUT_SECONDS * 1000);
        assertThat(seen.get()).containsExactly(A, A, A);
    }

    /** Returns once {@code thread} is blocked waiting (on a lock's condition, here). */
    static void awaitWaiting(Thread thread) throws InterruptedException {
        Kit.awaitTrue(() -> thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING,
                thread.getName() + " waiting");
    }
}
