package dev.asynclocal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.e2e.Outcome.Request;
import dev.asynclocal.e2e.Outcome.Response;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo, for real: a KRaft broker, A, B and C in JVMs of their own, D in Node.js, and five
 * concurrent requests. Each request's id has to reach every process through a header, gRPC
 * metadata or a record header and come back to A with D's reply; no line may carry another
 * request's id.
 */
class AcrossProcessesTest {
    private static final int REQUESTS = 5;

    @Test
    @Timeout(120)
    void everyRequestIsSeenWithItsOwnIdByAllFourProcesses() throws Exception {
        Optional<Path> node = AcrossServicesDemo.findNode();
        Assumptions.assumeTrue(node.isPresent(), "node not on PATH: the Node.js service D cannot run");

        StringBuilder printed = new StringBuilder();
        Outcome outcome = AcrossServicesDemo.run(REQUESTS, node.get(), line -> printed.append(line).append('\n'));

        assertThat(outcome.requests()).hasSize(REQUESTS);
        assertThat(outcome.requests().stream().map(Request::id).distinct()).hasSize(REQUESTS);
        SoftAssertions softly = new SoftAssertions();
        for (Response response : outcome.responses()) {
            Request request = response.request();
            softly.assertThat(response.status()).as("status of %s", request).isEqualTo(200);
            softly.assertThat(response.body()).as("A's answer to %s is D's reply with its own id", request)
                    .contains("D handled " + request.order() + " for request " + request.id());
            for (String service : Outcome.SERVICES) {
                List<LogLine> lines = outcome.linesOf(request, service);
                softly.assertThat(lines).as("lines of %s carrying the id of %s", service, request).isNotEmpty();
                // what a service says about a request, it says in that request's context
                softly.assertThat(lines).as("lines of %s for %s", service, request)
                        .allMatch(line -> line.text().contains(request.order()) || line.text().contains(request.id()));
            }
            softly.assertThat(outcome.linesOf(request, "A")).as("A logs D's reply in the context of %s", request)
                    .anyMatch(line -> line.text().contains("reply from D for " + request.order()));
            softly.assertThat(outcome.linesOf(request, "C")).as("C's response stage runs in the context of %s", request)
                    .anyMatch(line -> line.text().contains("D answered " + request.order()));
            softly.assertThat(outcome.linesOf(request, "B")).as("B's send callback runs in the context of %s", request)
                    .anyMatch(line -> line.text().contains(request.order() + " stored at"));
        }
        for (LogLine line : outcome.lines()) {
            if (!Outcome.SERVICES.contains(line.service()) || line.isReady()) {
                continue;
            }
            for (Request other : outcome.requests()) {
                if (!other.id().equals(line.id())) {
                    softly.assertThat(line.text()).as("a line not of %s", other)
                            .doesNotContain(other.id())
                            .doesNotContainPattern("\\b" + other.order() + "\\b");
                }
            }
        }
        softly.assertThat(outcome.problems()).as("the launcher's own check").isEmpty();
        if (!softly.wasSuccess()) {
            System.out.print(printed);   // the whole run, to see what went wrong
        }
        softly.assertAll();
    }
}
