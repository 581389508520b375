package dev.asynclocal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Garbage-collection destroys go through one class, with one cleaner thread. */
class GcDestroyTest {
    @Test
    void onlyGcDestroyTalksToACleaner() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> users;
        try (Stream<Path> files = Files.walk(main)) {
            users = files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> {
                        try {
                            // Code lines only: comments may name the Cleaner.
                            return Files.readAllLines(file).stream()
                                    .map(String::trim)
                                    .filter(line -> !line.startsWith("*") && !line.startsWith("//"))
                                    .anyMatch(line -> line.contains("Cleaner.create(")
                                            || line.matches(".*\\.register\\(.*"));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(file -> file.getFileName().toString())
                    .collect(Collectors.toList());
        }
        assertThat(users).containsExactly("GcDestroy.java");
    }

    @Test
    void theActionRunsWhenTheResourceIsCollected() throws Exception {
        java.util.concurrent.CountDownLatch collected = new java.util.concurrent.CountDownLatch(1);
        Object resource = new Object();
        GcDestroy.watch(resource, collected::countDown);
        resource = null;
        for (int i = 0; i < 50 && collected.getCount() > 0; i++) {
            System.gc();
            collected.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        assertThat(collected.getCount()).isZero();
    }

    @Test
    void cleaningEarlyRunsTheActionOnceAndNeverAgain() {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        Object resource = new Object();
        java.lang.ref.Cleaner.Cleanable handle = GcDestroy.watch(resource, runs::incrementAndGet);
        handle.clean();
        handle.clean();
        assertThat(runs).hasValue(1);
        assertThat(resource).isNotNull();
    }
}
