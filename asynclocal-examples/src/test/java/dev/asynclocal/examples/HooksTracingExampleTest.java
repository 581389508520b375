package dev.asynclocal.examples;

import static dev.asynclocal.examples.ExampleOutput.captureStdout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncHooks;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HooksTracingExampleTest {
    private static final Pattern FIRST_INIT = Pattern.compile("init Request id=(\\d+) trigger=1\n");

    /**
     * Ids come from one process-wide counter, so in this shared JVM the ids depend on what ran
     * before; the test reads the first id and expects the rest relative to it. The guide shows
     * the ids of a fresh JVM, which {@link GuideSnippetsTest} checks.
     */
    @Test
    void hookSeesInitBeforeAfterAndDestroyInOrder() throws Exception {
        String output = captureStdout(HooksTracingExample::tracing);

        Matcher matcher = FIRST_INIT.matcher(output);
        assertThat(matcher.find()).as("an init line for Request in:%n%s", output).isTrue();
        long request = Long.parseLong(matcher.group(1));
        long query = request + 1;
        assertThat(output).isEqualTo(String.format("""
                top level: executionAsyncId=1 triggerAsyncId=0
                init Request id=%1$d trigger=1
                before %1$d
                  in Request: executionAsyncId=%1$d triggerAsyncId=1
                init Query id=%2$d trigger=%1$d
                before %2$d
                  in Query: executionAsyncId=%2$d triggerAsyncId=%1$d
                after %2$d
                after %1$d
                destroy %2$d on asynclocal-destroy
                destroy %1$d on asynclocal-destroy
                """, request, query));
        assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
    }

    @Test
    void aThrowingHookIsReportedAndTheOperationGoesOn() throws Exception {
        String output = captureStdout(HooksTracingExample::errors);

        assertThat(output).isEqualTo("""
                the init hook failed for a Fragile: boom
                the resource still works
                """);
    }
}
