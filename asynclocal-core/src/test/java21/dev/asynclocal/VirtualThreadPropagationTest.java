package dev.asynclocal;

import static dev.asynclocal.PropagationTestKit.TIMEOUT_SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.PropagationTestKit.Event;
import dev.asynclocal.PropagationTestKit.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Virtual threads (Java 21+), without the agent: {@link AsyncLocalStorage#bind} with
 * {@code Thread.ofVirtual()}, a wrapped virtual-thread-per-task executor, a pool whose workers
 * are virtual threads, and the nested chain of {@link ThreadPropagationTest} ending on a virtual
 * thread. Compiled and run only when Maven runs on JDK 21 or later (profile
 * {@code java21-tests}).
 */
class VirtualThreadPropagationTest {
    static final AsyncLocalStorage<String> REQUEST = ThreadPropagationTest.REQUEST;

    @Test
    void boundTaskOnAVirtualThreadSeesItsContext() throws Exception {
        AtomicReference<String> inside = new AtomicReference<>();
        AtomicReference<Boolean> virtual = new AtomicReference<>();
        Runnable bound = REQUEST.run("v-1", () -> AsyncLocalStorage.bind(() -> {
            inside.set(REQUEST.getStore());
            virtual.set(Thread.currentThread().isVirtual());
        }));
        Thread thread = Thread.ofVirtual().name("bound-virtual").start(bound);
        assertThat(thread.join(java.time.Duration.ofSeconds(TIMEOUT_SECONDS))).isTrue();
        assertThat(inside.get()).isEqualTo("v-1");
        assertThat(virtual.get()).isTrue();
    }

    @Test
    void anUnboundVirtualThreadSeesNothing() throws Exception {
        AtomicReference<String> inside = new AtomicReference<>("not run");
        Thread thread = REQUEST.run("v-2", () -> Thread.ofVirtual().start(() -> inside.set(REQUEST.getStore())));
        thread.join();
        assertThat(inside.get()).isNull();
    }

    @Test
    void wrappedVirtualThreadPerTaskExecutorGivesEachTaskItsSubmittersContext() throws Exception {
        try (ExecutorService executor = AsyncExecutors.wrap(Executors.newVirtualThreadPerTaskExecutor())) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                String mine = "task-" + i;
                futures.add(REQUEST.run(mine, () -> executor.submit(() -> {
                    Thread.sleep(1); // let virtual threads interleave on their carriers
                    return REQUEST.getStore();
                })));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("task-" + i);
            }
        }
    }

    @Test
    void aPoolOfVirtualWorkersPropagatesAndKeepsNothing() throws Exception {
        ThreadPoolExecutor raw = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                Thread.ofVirtual().name("virtual-worker-", 0).factory());
        ExecutorService pool = AsyncExecutors.wrap(raw);
        try {
            for (int i = 0; i < 100; i++) {
                String mine = "w-" + i;
                assertThat(REQUEST.run(mine, () -> pool.submit(() -> {
                    String inside = REQUEST.getStore();
                    REQUEST.enterWith("leak");
                    return Thread.currentThread().isVirtual() + ":" + inside;
                })).get()).isEqualTo("true:" + mine);
                assertThat(raw.submit(REQUEST::getStore).get()).isNull();
            }
        } finally {
            raw.shutdownNow();
        }
    }

    @Test
    void nestedBoundariesEndingOnAVirtualThread() throws Exception {
        ExecutorService pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
        ScheduledExecutorService scheduler = AsyncExecutors.wrap(Executors.newSingleThreadScheduledExecutor());
        ExecutorService virtual = AsyncExecutors.wrap(Executors.newVirtualThreadPerTaskExecutor());
        Recorder recorder = new Recorder().enable();
        try {
            List<String> hops = new java.util.concurrent.CopyOnWriteArrayList<>();
            CompletableFuture<String> end = new CompletableFuture<>();
            ThreadPropagationTest.nestedChain(pool, scheduler, virtual::execute, hops, end);
            assertThat(end.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("r-nested/scheduled");
            assertThat(hops).containsExactly("pool:r-nested/start", "stage:r-nested/pool",
                    "scheduled:r-nested/stage", "thread:r-nested/scheduled");
            List<Event> executors = recorder.inits("Executor");
            assertThat(executors).hasSize(2);
            Event stage = recorder.onlyInit("CompletableFuture");
            Event scheduled = recorder.onlyInit("ScheduledTask");
            assertThat(stage.triggerAsyncId).isEqualTo(executors.get(0).asyncId);
            assertThat(scheduled.triggerAsyncId).isEqualTo(stage.asyncId);
            assertThat(executors.get(1).triggerAsyncId).isEqualTo(scheduled.asyncId);
        } finally {
            recorder.disable();
            pool.shutdownNow();
            scheduler.shutdownNow();
            virtual.shutdownNow();
        }
    }
}
