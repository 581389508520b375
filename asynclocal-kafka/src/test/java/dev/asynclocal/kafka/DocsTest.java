package dev.asynclocal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/kafka.md honest: every Java block follows {@code <!-- snippet: NAME -->} and equals
 * the region {@code // snippet:start NAME} ... {@code // snippet:end NAME} of {@link KafkaExample}
 * (common indentation removed), so it compiles; and the example does what the page says.
 */
class DocsTest {
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*snippet:\\s*([\\w.-]+)\\s*-->\\s*$");
    private static final Pattern START = Pattern.compile("^\\s*// snippet:start ([\\w.-]+)\\s*$");
    private static final Pattern END = Pattern.compile("^\\s*// snippet:end ([\\w.-]+)\\s*$");

    @Test
    void everyJavaBlockOfThePageIsARegionOfTheExample() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(root.resolve("docs"))) {
            root = root.getParent();
        }
        Map<String, String> regions = regions(root.resolve("asynclocal-kafka/src/test/java/dev/asynclocal/kafka/KafkaExample.java"));
        List<String> lines = Files.readAllLines(root.resolve("docs/kafka.md"));
        SoftAssertions softly = new SoftAssertions();
        String marker = null;
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = MARKER.matcher(line);
            if (m.matches()) {
                marker = m.group(1);
            } else if (line.startsWith("```java")) {
                List<String> body = new ArrayList<>();
                int at = i + 1;
                while (!lines.get(++i).startsWith("```")) {
                    body.add(lines.get(i));
                }
                softly.assertThat(marker).as("docs/kafka.md:%d: a java block must follow <!-- snippet: NAME -->", at).isNotNull();
                if (marker != null) {
                    softly.assertThat(String.join("\n", body)).as("docs/kafka.md:%d snippet %s", at, marker)
                            .isEqualTo(regions.get(marker));
                    checked++;
                }
                marker = null;
            } else if (!line.isBlank()) {
                marker = null;
            }
        }
        softly.assertThat(checked).isGreaterThanOrEqualTo(4);
        softly.assertAll();
    }

    @Test
    void theExampleCarriesEachRequestIdToItsConsumer() throws Exception {
        try (Broker broker = new Broker(1, "orders", "payments")) {
            assertThat(KafkaExample.run(broker)).containsExactly(
                    "r-1: sent order-1", "r-1: processing order-1", "r-2: listener got payment-2");
        }
    }

    private static Map<String, String> regions(Path source) throws IOException {
        Map<String, String> found = new HashMap<>();
        String open = null;
        List<String> body = new ArrayList<>();
        for (String line : Files.readAllLines(source)) {
            Matcher start = START.matcher(line);
            Matcher end = END.matcher(line);
            if (start.matches()) {
                open = start.group(1);
                body.clear();
            } else if (end.matches()) {
                found.put(open, dedent(body));
                open = null;
            } else if (open != null) {
                body.add(line);
            }
        }
        return found;
    }

    private static String dedent(List<String> body) {
        int indent = body.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : body) {
            out.add(line.isBlank() ? "" : line.substring(indent));
        }
        return String.join("\n", out);
    }
}
