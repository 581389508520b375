package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.agent.internal.Installer;
import java.util.ArrayList;
import java.util.List;
import java.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent instrumented every JDK class it targets on the JDK running the tests, shares one copy
 * of the library with the application, and could instrument nothing less.
 */
class InstrumentedIT {
    @Test
    void everyTargetClassIsInstrumentedAndNothingFailed() throws Exception {
        // Load the classes a test run may not have needed yet.
        CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS);
        new Timer(true).cancel();
        List<String> expected = new ArrayList<>(List.of(
                "java.lang.Thread",
                "java.util.concurrent.ThreadPoolExecutor",
                "java.util.concurrent.ScheduledThreadPoolExecutor",
                "java.util.concurrent.ForkJoinPool",
                "java.util.concurrent.ForkJoinTask",
                "java.util.concurrent.CompletableFuture",
                "java.util.concurrent.CompletableFuture$DelayedExecutor",
                "java.util.Timer",
                "java.util.TimerTask",
                "java.util.TimerThread"));
        if (Runtime.version().feature() >= 21) {
            Class.forName("java.lang.VirtualThread");
            expected.add("java.lang.VirtualThread");
        }
        assertThat(Installer.instrumented()).containsAll(expected);
        assertThat(Installer.failed()).isEmpty();
    }

    @Test
    void applicationSubclassesAreInstrumentedAsTheyLoad() {
        // Class literals load the classes (if no other test did) before the list is read.
        List<String> subclasses = List.of(ThreadIT.Subclass.class.getName(), ThreadIT.Deep.class.getName(),
                ThreadPoolIT.Inspecting.class.getName());
        assertThat(Installer.instrumented()).containsAll(subclasses);
    }

    @Test
    void theApplicationAndTheJdkShareOneCopyOfTheLibrary() throws Exception {
        assertThat(dev.asynclocal.AsyncLocalStorage.class.getClassLoader()).isNull();
        assertThat(Installer.class.getClassLoader()).isNull();
        assertThat(Class.forName("dev.asynclocal.internal.Engine", false, getClass().getClassLoader()))
                .isSameAs(Class.forName("dev.asynclocal.internal.Engine", false, null));
        assertThat(Installer.isInstalled()).isTrue();
    }
}
