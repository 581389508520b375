package dev.asynclocal.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs the {@link Samples} through the JUnit Platform test kit and checks which of them the
 * extension fails, and what it says.
 */
class ContextLeakExtensionTest {
    private static final String FILE = "Samples.java";

    private static EngineExecutionResults run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute();
    }

    private static Throwable failureOf(Event event) {
        return event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    private static String onlyFailure(EngineExecutionResults results) {
        List<Event> failed = results.testEvents().failed().list();
        assertThat(failed).hasSize(1);
        return failureOf(failed.get(0)).getMessage();
    }

    @Test
    void aTestThatCallsEnterWithOnTheTestThreadFailsWithTheLineOfTheCall() {
        String message = onlyFailure(run(Samples.LeaksOnTheTestThread.class));

        assertThat(message)
                .startsWith("The test left an asynclocal context behind on 1 thread:\n- thread \""
                        + Thread.currentThread().getName() + "\" (the test's thread):\n")
                .contains("  requestId=r-1, set by enterWith at:\n      at dev.asynclocal.junit.Samples$LeaksOnTheTestThread.leaks("
                        + FILE + ":" + Samples.LINES.get("testThread") + ")\n")
                .contains("The extension put back the context this thread had before the test.")
                .doesNotContain("org.junit.");
        assertThat(Samples.REQUEST_ID.getStore()).as("the test kit's thread was cleaned").isNull();
    }

    @Test
    void aScopeThatIsNeverClosedIsALeak() {
        String message = onlyFailure(run(Samples.LeavesAScopeOpen.class));
        assertThat(message).contains("requestId=r-2, set by withScope (never closed) at:\n"
                + "      at dev.asynclocal.junit.Samples$LeavesAScopeOpen.opensAScope(" + FILE + ":"
                + Samples.LINES.get("scope") + ")");
        assertThat(Samples.REQUEST_ID.getStore()).isNull();
    }

    @Test
    void aPoolThreadLeftWithAContextFailsTheTestAndIsNamed() {
        String message = onlyFailure(run(Samples.LeaksOnAPoolThread.class));
        assertThat(message)
                .startsWith("The test left an asynclocal context behind on 1 thread:\n- thread \"sample-pool\":\n")
                .contains("requestId=r-3, set by enterWith at:\n      at dev.asynclocal.junit.Samples$LeaksOnAPoolThread.lambda$leaks$")
                .contains(FILE + ":" + Samples.LINES.get("pool") + ")")
                .contains("The thread keeps that context: every task it runs from now on sees it.")
                .contains("AsyncExecutors.wrap(...)");
    }

    @Test
    void theNextTestOnTheSameThreadStartsWithTheContextItHadBefore() {
        EngineExecutionResults results = run(Samples.TheNextTestStartsClean.class);
        results.testEvents().assertStatistics(stats -> stats.started(2).failed(1).succeeded(1));
        assertThat(Samples.TheNextTestStartsClean.seenBySecond).isEqualTo("null");
    }

    @Test
    void aTestThatFailsOnItsOwnKeepsItsFailureAndGetsTheLeakAsSuppressed() {
        EngineExecutionResults results = run(Samples.FailsAndLeaks.class);
        Throwable failure = failureOf(results.testEvents().failed().list().get(0));
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("the test's own failure");
        assertThat(failure.getSuppressed()).singleElement()
                .satisfies(leak -> assertThat(leak.getMessage()).contains("requestId=r-5, set by enterWith"));
        assertThat(Samples.REQUEST_ID.getStore()).isNull();
    }

    @Test
    void aLeakInBeforeAllFailsTheClass() {
        EngineExecutionResults results = run(Samples.LeaksInBeforeAll.class);
        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        List<Event> failedContainers = results.containerEvents().failed().list();
        assertThat(failedContainers).singleElement().satisfies(event -> assertThat(failureOf(event).getMessage())
                .startsWith("The test class (@BeforeAll/@AfterAll) left an asynclocal context behind")
                .contains("requestId=r-6, set by enterWith at:\n      at dev.asynclocal.junit.Samples$LeaksInBeforeAll.setUp("
                        + FILE + ":" + Samples.LINES.get("beforeAll") + ")"));
        assertThat(Samples.REQUEST_ID.getStore()).isNull();
    }

    @Test
    void testsThatEndEveryContextPass() {
        EngineExecutionResults results = run(Samples.Clean.class);
        results.testEvents().assertStatistics(stats -> stats.failed(0).succeeded(24));
        results.containerEvents().assertStatistics(stats -> stats.failed(0));
    }

    @Test
    void theListenerIsRemovedWhenNoTestIsChecked() {
        run(Samples.Clean.class);
        assertThat(dev.asynclocal.internal.Engine.scopeListener()).isNull();
    }
}
