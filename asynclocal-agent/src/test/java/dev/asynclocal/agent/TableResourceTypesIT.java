package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncResource;
import dev.asynclocal.agent.internal.TargetTable;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The resource column of the agent's table, held against what hooks see: every row that
 * captures, and applies to the JDK running this test, is made to capture once inside a resource
 * of the test's, and the hook must see an {@code init} of the type the row names, triggered by
 * that resource. A row without an exercise here fails the test, so a new row comes with one.
 */
class TableResourceTypesIT {
    private static final Runnable NOTHING = () -> { };
    private static final Callable<String> VALUE = () -> "value";

    private final List<AutoCloseable> cleanUp = new ArrayList<>();
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final ExecutorService pool = Executors.newFixedThreadPool(1);
    private final ForkJoinPool forkJoin = new ForkJoinPool(1);

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : cleanUp) {
            closeable.close(); // before the pools: a publisher's close hands its subscribers one more signal
        }
        scheduler.shutdownNow();
        pool.shutdownNow();
        forkJoin.shutdownNow();
    }

    /** What makes each row capture, by the row's description in the table. */
    private Map<String, Exercise> exercises() {
        Map<String, Exercise> rows = new LinkedHashMap<>();
        rows.put("java.util.concurrent.ThreadPoolExecutor: ExecutorAdvice$Execute [Executor, finished after the run]",
                () -> pool.execute(NOTHING));
        rows.put("java.util.concurrent.ScheduledThreadPoolExecutor: ExecutorAdvice$ScheduledRunnable [Executor, finished after the run]",
                () -> scheduler.execute(NOTHING));
        rows.put("java.util.concurrent.ScheduledThreadPoolExecutor: ExecutorAdvice$ScheduledCallable [Executor, finished after the run]",
                () -> scheduler.submit(VALUE));
        rows.put("java.util.concurrent.ScheduledThreadPoolExecutor: ExecutorAdvice$ScheduledRunnable [ScheduledTask, finished after the run]",
                () -> scheduler.schedule(NOTHING, 1, TimeUnit.MILLISECONDS));
        rows.put("java.util.concurrent.ScheduledThreadPoolExecutor: ExecutorAdvice$ScheduledCallable [ScheduledTask, finished after the run]",
                () -> scheduler.schedule(VALUE, 1, TimeUnit.MILLISECONDS));
        rows.put("java.util.concurrent.ScheduledThreadPoolExecutor: ExecutorAdvice$ScheduledRunnable [ScheduledTask, finished when a run fails]",
                () -> scheduler.scheduleAtFixedRate(NOTHING, 1, 1, TimeUnit.HOURS));
        rows.put("java.util.concurrent.ForkJoinTask: ForkJoinAdvice$Fork [ForkJoinTask]",
                () -> ForkJoinTask.adapt(NOTHING).fork().join());
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$SubmitTask [ForkJoinTask]",
                () -> forkJoin.submit(ForkJoinTask.adapt(NOTHING)));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$SubmitTask [ForkJoinTask] (JDK 19+)",
                () -> invoke(forkJoin, "lazySubmit", ForkJoinTask.adapt(NOTHING)));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$SubmitTask [ForkJoinTask] (JDK 20+)",
                () -> invoke(forkJoin, "externalSubmit", ForkJoinTask.adapt(NOTHING)));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$SubmitRunnable [ForkJoinTask, finished after the run]",
                () -> forkJoin.execute(NOTHING));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$SubmitCallable [ForkJoinTask, finished after the run]",
                () -> forkJoin.submit(VALUE));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$SubmitCallable [ForkJoinTask, finished after the run] (JDK 25+)",
                () -> ForkJoinPool.class.getMethod("submitWithTimeout", Callable.class, long.class, TimeUnit.class,
                        Consumer.class).invoke(forkJoin, VALUE, 1L, TimeUnit.HOURS, null));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$InvokeCollection [ForkJoinTask, finished after the run]",
                () -> forkJoin.invokeAll(List.of(VALUE)));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$InvokeCollection [ForkJoinTask, finished after the run] (JDK 22+)",
                () -> invoke(forkJoin, "invokeAllUninterruptibly", List.of(VALUE)));
        // ForkJoinPool is a ScheduledExecutorService from JDK 25 on; this code compiles for 17.
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$ScheduledRunnable [ScheduledTask, finished after the run] (JDK 25+)",
                () -> ((ScheduledExecutorService) (Object) forkJoin).schedule(NOTHING, 1, TimeUnit.MILLISECONDS));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$SubmitCallable [ScheduledTask, finished after the run] (JDK 25+)",
                () -> ((ScheduledExecutorService) (Object) forkJoin).schedule(VALUE, 1, TimeUnit.MILLISECONDS));
        rows.put("java.util.concurrent.ForkJoinPool: ForkJoinAdvice$ScheduledRunnable [ScheduledTask, finished when a run fails] (JDK 25+)",
                () -> ((ScheduledExecutorService) (Object) forkJoin).scheduleAtFixedRate(NOTHING, 1, 1, TimeUnit.HOURS));
        CompletableFuture<String> done = CompletableFuture.completedFuture("done");
        CompletableFuture<String> other = CompletableFuture.completedFuture("other");
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$Function0 [CompletableFuture]", () -> done.thenApply(v -> v));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$Function1 [CompletableFuture]",
                () -> done.applyToEither(other, v -> v));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$BiFunction0 [CompletableFuture]",
                () -> done.handle((v, e) -> v));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$BiFunction1 [CompletableFuture]",
                () -> done.thenCombine(other, (a, b) -> a));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$Consumer0 [CompletableFuture]",
                () -> done.thenAccept(v -> { }));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$Consumer1 [CompletableFuture]",
                () -> done.acceptEither(other, v -> { }));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$BiConsumer0 [CompletableFuture]",
                () -> done.whenComplete((v, e) -> { }));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$BiConsumer1 [CompletableFuture]",
                () -> done.thenAcceptBoth(other, (a, b) -> { }));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$Runnable0 [CompletableFuture]", () -> done.thenRun(NOTHING));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$Runnable1 [CompletableFuture]",
                () -> done.runAfterBoth(other, NOTHING));
        rows.put("java.util.concurrent.CompletableFuture: FutureAdvice$Supplier0 [CompletableFuture]",
                () -> CompletableFuture.supplyAsync(() -> "value", pool));
        rows.put("java.util.concurrent.CompletableFuture$DelayedExecutor: FutureAdvice$DelayedExecute [ScheduledTask, finished after the run]",
                () -> CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS, pool).execute(NOTHING));
        rows.put("java.lang.Thread: ThreadAdvice$Start [Thread]", () -> startAndJoin(new Thread(NOTHING)));
        rows.put("java.lang.Thread: ThreadAdvice$StartInContainer [Thread] (JDK 21+)",
                () -> submitToThreadPerTask("newThreadPerTaskExecutor", Thread::new));
        rows.put("java.lang.VirtualThread: ThreadAdvice$Start [Thread] (JDK 21+)",
                () -> ((Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, NOTHING)).join());
        rows.put("java.lang.VirtualThread: ThreadAdvice$StartInContainer [Thread] (JDK 21+)",
                () -> submitToThreadPerTask("newVirtualThreadPerTaskExecutor", null));
        rows.put("sun.nio.ch.AsynchronousSocketChannelImpl | sun.nio.ch.AsynchronousServerSocketChannelImpl"
                + " | sun.nio.ch.AsynchronousFileChannelImpl: IoAdvice$BindHandler [CompletionHandler]", this::readAFile);
        rows.put("java.util.concurrent.SubmissionPublisher$BufferedSubscription: IoAdvice$Subscribed [Subscription]",
                this::subscribe);
        rows.put("java.util.Timer: TimerAdvice$Sched [TimerTask]", this::scheduleOnATimer);
        return rows;
    }

    @Test
    void everyRowThatCapturesMakesAResourceOfTheTypeItNames() throws Exception {
        Map<String, String> resourceTypes = TargetTable.resourceTypesOn(Runtime.version().feature());
        Map<String, Exercise> exercises = exercises();
        assertThat(exercises.keySet()).as("an exercise for every row that captures on this JDK")
                .containsAll(resourceTypes.keySet());
        Set<String> onAnyJdk = new HashSet<>();
        for (int feature = 17; feature <= Math.max(25, Runtime.version().feature()); feature++) {
            onAnyJdk.addAll(TargetTable.resourceTypesOn(feature).keySet());
        }
        assertThat(onAnyJdk).as("a row for every exercise").containsAll(exercises.keySet());
        try (Kit.Recorder recorder = new Kit.Recorder().enable()) {
            for (Map.Entry<String, String> row : resourceTypes.entrySet()) {
                AsyncResource trigger = new AsyncResource("Row");
                trigger.runInAsyncScope(() -> {
                    exercises.get(row.getKey()).run();
                    return null;
                });
                assertThat(recorder.initsTriggeredBy(row.getValue(), trigger.asyncId()))
                        .as("%s: inits triggered by it in %s", row.getKey(), recorder.all()).isNotEmpty();
            }
        }
    }

    /** One capturing operation; throws what it may. */
    @FunctionalInterface
    interface Exercise {
        void run() throws Exception;
    }

    private static void invoke(ForkJoinPool pool, String method, Object argument) throws Exception {
        Class<?> parameter = argument instanceof ForkJoinTask ? ForkJoinTask.class : java.util.Collection.class;
        ForkJoinPool.class.getMethod(method, parameter).invoke(pool, argument);
    }

    private static void startAndJoin(Thread thread) throws InterruptedException {
        thread.start();
        thread.join();
    }

    /** {@code Executors.newThreadPerTaskExecutor(factory)} or {@code newVirtualThreadPerTaskExecutor()} (JDK 21+). */
    private void submitToThreadPerTask(String factoryMethod, ThreadFactory factory) throws Exception {
        ExecutorService perTask = factory == null
                ? (ExecutorService) Executors.class.getMethod(factoryMethod).invoke(null)
                : (ExecutorService) Executors.class.getMethod(factoryMethod, ThreadFactory.class).invoke(null, factory);
        try {
            Kit.get(perTask.submit(NOTHING));
        } finally {
            perTask.shutdown();
        }
    }

    private void readAFile() throws Exception {
        Path file = Files.createTempFile("table-resource-types", ".txt");
        Files.writeString(file, "content");
        AsynchronousFileChannel channel = AsynchronousFileChannel.open(file, StandardOpenOption.READ,
                StandardOpenOption.DELETE_ON_CLOSE);
        cleanUp.add(channel);
        CompletableFuture<Integer> read = new CompletableFuture<>();
        channel.read(ByteBuffer.allocate(16), 0, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer result, Object attachment) {
                read.complete(result);
            }

            @Override
            public void failed(Throwable error, Object attachment) {
                read.completeExceptionally(error);
            }
        });
        Kit.get(read);
    }

    private void subscribe() {
        SubmissionPublisher<String> publisher = new SubmissionPublisher<>(pool, 16);
        cleanUp.add(publisher);
        publisher.subscribe(new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
            }

            @Override
            public void onNext(String item) {
            }

            @Override
            public void onError(Throwable error) {
            }

            @Override
            public void onComplete() {
            }
        });
    }

    private void scheduleOnATimer() {
        Timer timer = new Timer(true);
        cleanUp.add(timer::cancel);
        timer.schedule(new TimerTask() {
            @Override
            public void run() {
            }
        }, 1);
    }
}
