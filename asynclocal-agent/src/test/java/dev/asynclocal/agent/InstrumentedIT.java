package dev.asynclocal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.agent.internal.Installer;
import dev.asynclocal.agent.internal.TargetTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent instrumented every JDK class its table names for the JDK running the tests, shares one
 * copy of the library with the application, and could instrument nothing less.
 */
class InstrumentedIT {
    @Test
    void everyJdkClassTheTableNamesForThisJdkIsInstrumentedAndNothingFailed() throws Exception {
        List<String> expected = TargetTable.jdkClassesOn(Runtime.version().feature());
        for (String name : expected) {
            // Loads the classes a test run may not have needed yet: the agent transforms them as they load.
            Class.forName(name, false, null);
        }
        assertThat(expected).contains("java.lang.Thread", "java.util.concurrent.ThreadPoolExecutor",
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject");
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
