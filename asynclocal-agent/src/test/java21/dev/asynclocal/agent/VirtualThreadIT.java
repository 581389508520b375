package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncResource;
import dev.asynclocal.agent.Kit.Event;
import dev.asynclocal.agent.Kit.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Virtual threads (Java 21+) under the agent: every way to start one propagates the starter's
 * context, a virtual thread keeps its context across parking and sleeping (its scheduler's own
 * submissions are never captured), and it can end a chain of every other boundary.
 */
class VirtualThreadIT {
    private static String seenIn(Thread thread, AtomicReference<String> seen) throws InterruptedException {
        thread.join(Duration.ofSeconds(Kit.TIMEOUT_SECONDS));
        assertThat(thread.isAlive()).isFalse();
        return seen.get();
    }

    @Test
    void everyWayToStartAVirtualThreadPropagates() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread built = STORE.run("builder", () -> Thread.ofVirtual().start(() -> seen.set(STORE.getStore())));
        assertThat(seenIn(built, seen)).isEqualTo("builder");

        Thread started = STORE.run("startVirtualThread", () -> Thread.startVirtualThread(() -> seen.set(STORE.getStore())));
        assertThat(seenIn(started, seen)).isEqualTo("startVirtualThread");

        Thread unstarted = STORE.run("constructed", () -> Thread.ofVirtual().unstarted(() -> seen.set(STORE.getStore())));
        STORE.run("started", unstarted::start);
        assertThat(seenIn(unstarted, seen)).isEqualTo("started");

        Thread fromFactory = Thread.ofVirtual().factory().newThread(() -> seen.set(STORE.getStore()));
        STORE.run("factory", fromFactory::start);
        assertThat(seenIn(fromFactory, seen)).isEqualTo("factory");

        Thread outside = Thread.ofVirtual().start(() -> seen.set(String.valueOf(STORE.getStore())));
        assertThat(seenIn(outside, seen)).isEqualTo("null");

        Thread platform = STORE.run("platform-builder", () -> Thread.ofPlatform().start(() -> seen.set(STORE.getStore())));
        assertThat(seenIn(platform, seen)).isEqualTo("platform-builder");
    }

    @Test
    void threadPerTaskExecutorsPropagate() throws Exception {
        for (ExecutorService executor : List.of(Executors.newVirtualThreadPerTaskExecutor(),
                Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory()))) {
            try (executor) {
                assertThat(get(STORE.run("submit", () -> executor.submit(STORE::getStore)))).isEqualTo("submit");
                List<Callable<String>> all = List.of(STORE::getStore, STORE::getStore);
                for (Future<String> f : STORE.run("invokeAll", () -> executor.invokeAll(all))) {
                    assertThat(f.get()).isEqualTo("invokeAll");
                }
                assertThat(STORE.run("invokeAny", () -> executor.invokeAny(all))).isEqualTo("invokeAny");
                Queue<String> executed = new ConcurrentLinkedQueue<>();
                STORE.run("execute", () -> executor.execute(() -> executed.add(STORE.getStore())));
                Kit.awaitTrue(() -> !executed.isEmpty(), "execute");
                assertThat(executed).containsExactly("execute");
                assertThat(get(executor.submit(STORE::getStore))).isNull();
            }
        }
    }

    @Test
    void aPlatformThreadFromAFactoryInheritsOnlyWhenAThreadPerTaskExecutorStartsIt() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread fromFactory = Thread.ofPlatform().factory().newThread(() -> seen.set(STORE.getStore()));
        STORE.run("factory", fromFactory::start);
        assertThat(seenIn(fromFactory, seen)).as("a factory makes threads for pools and loops").isNull();
        try (ExecutorService perTask = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())) {
            assertThat(get(STORE.run("per-task", () -> perTask.submit(STORE::getStore)))).isEqualTo("per-task");
        }
    }

    @Test
    void anEnterWithInAVirtualThreadReachesNeitherItsCarrierNorALaterVirtualThread() throws Exception {
        List<Thread> leakers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String context = "leaker-" + i;
            leakers.add(Thread.ofVirtual().start(() -> {
                STORE.enterWith(context);
                LockSupport.parkNanos(50_000);
                Thread.yield();
            }));
        }
        for (Thread t : leakers) {
            t.join(Duration.ofSeconds(Kit.TIMEOUT_SECONDS));
        }
        Set<String> seenLater = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Thread> later = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            later.add(Thread.ofVirtual().start(() -> {
                seenLater.add(String.valueOf(STORE.getStore()));
                Thread.yield();
                seenLater.add(String.valueOf(STORE.getStore()));
            }));
        }
        for (Thread t : later) {
            t.join(Duration.ofSeconds(Kit.TIMEOUT_SECONDS));
        }
        assertThat(seenLater).containsOnly("null");
    }

    @Test
    void aVirtualThreadKeepsItsContextAcrossParkingAndSleeping() throws Exception {
        AtomicInteger mismatches = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String context = "vt-" + i;
            threads.add(STORE.run(context, () -> Thread.ofVirtual().start(() -> {
                for (int round = 0; round < 3; round++) {
                    if (!context.equals(STORE.getStore())) {
                        mismatches.incrementAndGet();
                    }
                    if (round == 0) {
                        LockSupport.parkNanos(100_000);
                    } else {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            })));
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(Kit.TIMEOUT_SECONDS));
        }
        assertThat(mismatches.get()).isZero();
    }

    @Test
    void aVirtualThreadKeepsItsContextAcrossAConditionWaitAndAQueueTake() throws Exception {
        // Virtual threads inherit for good: waiting for input is no sign of a worker here.
        ConditionWaitIT.Mailbox input = new ConditionWaitIT.Mailbox();
        java.util.concurrent.BlockingQueue<String> queue = new java.util.concurrent.LinkedBlockingQueue<>();
        AtomicReference<String> seen = new AtomicReference<>("not run");
        Thread virtual = STORE.run("virtual", () -> Thread.ofVirtual().start(() -> {
            try {
                seen.set(input.take() + ":" + STORE.getStore() + "," + queue.take() + ":" + STORE.getStore());
            } catch (InterruptedException e) {
                seen.set(e.toString());
            }
        }));
        ConditionWaitIT.awaitWaiting(virtual);
        input.put("x");
        queue.put("y");
        virtual.join(Duration.ofSeconds(Kit.TIMEOUT_SECONDS));
        assertThat(seen.get()).isEqualTo("x:virtual,y:virtual");
    }

    @Test
    void aVirtualThreadIsOneThreadResourceAndItsSchedulingIsNotTraced() throws Exception {
        try (Recorder recorder = new Recorder().enable()) {
            AsyncResource starter = new AsyncResource("Starter");
            AtomicReference<long[]> inside = new AtomicReference<>();
            AtomicReference<long[]> afterSleep = new AtomicReference<>();
            Thread vt = starter.runInAsyncScope(() -> Thread.ofVirtual().start(() -> {
                inside.set(Kit.ids());
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
                afterSleep.set(Kit.ids());
            }));
            vt.join(Duration.ofSeconds(Kit.TIMEOUT_SECONDS));
            Event init = recorder.onlyInit("Thread", starter.asyncId());
            assertThat(inside.get()).containsExactly(init.asyncId, starter.asyncId());
            assertThat(afterSleep.get()).containsExactly(init.asyncId, starter.asyncId());
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).containsExactly("init", "before", "after", "destroy");
            assertThat(recorder.all()).noneMatch(e -> e.kind.equals("init") && e.triggerAsyncId == init.asyncId);
        }
    }

    @Test
    void poolThenStageThenScheduledTaskThenParallelStreamThenVirtualThread() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
        try {
            CompletableFuture<String> trigger = new CompletableFuture<>();
            CompletableFuture<Set<String>> result = new CompletableFuture<>();
            STORE.run("request", () -> pool.execute(() -> trigger.thenAccept(v -> scheduler.schedule(() -> {
                Set<String> seen = IntStream.range(0, 32).parallel().mapToObj(i -> {
                    AtomicReference<String> fromVirtual = new AtomicReference<>();
                    Thread vt = Thread.ofVirtual().start(() -> fromVirtual.set("virtual:" + STORE.getStore()));
                    try {
                        vt.join();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    return "stream:" + STORE.getStore() + "," + fromVirtual.get();
                }).collect(Collectors.toSet());
                result.complete(seen);
            }, 1, TimeUnit.MILLISECONDS))));
            STORE.run("completer", () -> trigger.complete("go"));
            assertThat(get(result)).containsExactly("stream:request,virtual:request");
        } finally {
            pool.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
