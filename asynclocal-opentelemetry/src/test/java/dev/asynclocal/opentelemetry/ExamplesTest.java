package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Runs the examples of docs/opentelemetry.md and docs/across-services.md, and checks that the
 * pages show exactly their code and their output.
 */
class ExamplesTest {
    @Test
    void openTelemetryExamplePrintsTheSpanTree() throws Exception {
        assertThat(DocExamples.output(OpenTelemetryExample.class)).isEqualTo(String.join("\n",
                "OpenTelemetry keeps its context in asynclocal: true",
                "load-cart <- handle-request",
                "charge <- handle-request",
                "handle-request <- (root)"));
    }

    @Test
    void acrossServicesExampleCarriesTheIdAndUserToC() throws Exception {
        assertThat(DocExamples.output(AcrossServicesExample.class)).isEqualTo(String.join("\n",
                "A made requestId=req-42",
                "C sees requestId=req-42 user=alice"));
    }

    @Test
    void thePagesShowTheExamplesAsTheyAre() throws Exception {
        Map<String, String> regions = DocExamples.regions(
                DocExamples.repositoryRoot().resolve(Path.of("asynclocal-opentelemetry", "src", "test", "java")));
        SoftAssertions softly = new SoftAssertions();
        for (String page : List.of("docs/opentelemetry.md", "docs/across-services.md")) {
            List<DocExamples.Block> blocks = DocExamples.blocks(page);
            softly.assertThat(blocks).as(page + " has marked blocks").isNotEmpty();
            for (DocExamples.Block block : blocks) {
                String where = page + ":" + block.line();
                if (block.kind().equals("snippet")) {
                    softly.assertThat(block.text()).as(where).isEqualTo(regions.get(block.name()));
                } else {
                    Class<?> type = Class.forName("dev.asynclocal.opentelemetry." + block.name());
                    softly.assertThat(block.text()).as(where).isEqualTo(DocExamples.output(type));
                }
            }
        }
        softly.assertAll();
    }
}
