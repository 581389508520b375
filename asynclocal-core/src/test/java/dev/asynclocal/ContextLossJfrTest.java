package dev.asynclocal;

import dev.asynclocal.internal.diagnostics.LossSitesFixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The detector's JFR events, recorded to a file and read back: a capture for each propagated
 * operation, a restore spanning each run of one, and a loss for each loss. The detector is turned
 * on before the recording starts, so this also checks that starting a recording switches the
 * capture and restore events on.
 */
class ContextLossJfrTest {
    private final AsyncLocalStorage<String> requestId = new AsyncLocalStorage<>("requestId");
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void tearDown() throws InterruptedException {
        ContextLossDetector.disable();
        ContextLossDetector.setListener(null);
        LossSitesFixture.clear();
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void captureRestoreAndLossEventsAreRecorded() throws Exception {
        ContextLossDetector.setListener(loss -> { });
        ContextLossDetector.enable();
        Path file = Files.createTempFile("asynclocal-detector", ".jfr");
        try {
            try (Recording recording = new Recording()) {
                recording.enable("dev.asynclocal.ContextCapture");
                recording.enable("dev.asynclocal.ContextRestore");
                recording.enable("dev.asynclocal.ContextLoss");
                recording.start();

                ExecutorService wrapped = AsyncExecutors.wrap(pool);
                requestId.run("r-1", () -> wrapped.submit(() -> { }))
                        .get(10, TimeUnit.SECONDS);
                CountDownLatch lost = new CountDownLatch(1);
                requestId.run("r-2", () -> ContextLossDetector.guard(pool).execute(lost::countDown));
                assertThat(lost.await(10, TimeUnit.SECONDS)).isTrue();
                pool.submit(() -> null).get(10, TimeUnit.SECONDS);

                recording.stop();
                recording.dump(file);
            }
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            Map<String, List<RecordedEvent>> byType = events.stream()
                    .collect(Collectors.groupingBy(e -> e.getEventType().getName()));

            List<RecordedEvent> captures = byType.getOrDefault("dev.asynclocal.ContextCapture", List.of());
            RecordedEvent capture = captures.stream()
                    .filter(e -> "Executor".equals(e.getString("operationType")))
                    .findFirst().orElseThrow(() -> new AssertionError("no Executor capture in " + captures));
            assertThat(capture.getInt("stores")).isEqualTo(1);
            assertThat(capture.getLong("triggerAsyncId")).isEqualTo(1);
            assertThat(capture.getStackTrace().getFrames()).anySatisfy(frame ->
                    assertThat(frame.getMethod().getName()).contains("captureRestoreAndLossEventsAreRecorded"));

            long id = capture.getLong("asyncId");
            List<RecordedEvent> restores = byType.getOrDefault("dev.asynclocal.ContextRestore", List.of());
            assertThat(restores).anySatisfy(restore -> {
                assertThat(restore.getLong("asyncId")).isEqualTo(id);
                assertThat(restore.getString("operationType")).isEqualTo("Executor");
                assertThat(restore.getThread().getJavaName()).startsWith("pool-");
                assertThat(restore.getDuration()).isGreaterThanOrEqualTo(Duration.ZERO);
                assertThat(restore.getStartTime()).isAfterOrEqualTo(capture.getStartTime());
            });

            assertThat(byType.getOrDefault("dev.asynclocal.ContextLoss", List.of())).singleElement().satisfies(loss -> {
                assertThat(loss.getString("kind")).isEqualTo("WATCHED_WORK");
                assertThat(loss.getString("site")).contains("ContextLossDetectorTest".replace("DetectorTest", "JfrTest"));
                assertThat(loss.getString("boundary")).contains("ThreadPoolExecutor.runWorker");
                assertThat(loss.getLong("occurrences")).isEqualTo(1);
                assertThat(loss.getThread().getJavaName()).startsWith("pool-");
            });
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void withoutARecordingTheDetectorDoesNotTurnOperationsIntoResources() throws Exception {
        ContextLossDetector.enable();
        // No recording runs, so no hook is enabled for capture events: tasks stay pure frame swaps.
        long id = AsyncExecutors.wrap(pool).submit(AsyncHooks::executionAsyncId).get(10, TimeUnit.SECONDS);
        assertThat(id).isEqualTo(1);
    }
}
