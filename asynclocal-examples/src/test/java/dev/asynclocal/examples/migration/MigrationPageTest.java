package dev.asynclocal.examples.migration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/migration.md honest: every Java block follows {@code <!-- snippet: NAME -->} and equals
 * the region of that name in this package (the "before" code compiled against TTL and
 * OpenTelemetry, the "after" code against asynclocal), and every region is shown.
 */
class MigrationPageTest {
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*snippet:\\s*([\\w.-]+)\\s*-->\\s*$");
    private static final Pattern START = Pattern.compile("^\\s*// snippet:start ([\\w.-]+)\\s*$");
    private static final Pattern END = Pattern.compile("^\\s*// snippet:end ([\\w.-]+)\\s*$");

    @Test
    void everyJavaBlockIsARegionAndEveryRegionIsShown() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(root.resolve("docs"))) {
            root = root.getParent();
        }
        Map<String, String> regions = new HashMap<>();
        try (Stream<Path> sources = Files.list(root.resolve("asynclocal-examples/src/test/java/dev/asynclocal/examples/migration"))) {
            for (Path source : (Iterable<Path>) sources::iterator) {
                regions.putAll(regions(source));
            }
        }
        List<String> lines = Files.readAllLines(root.resolve("docs/migration.md"));
        SoftAssertions softly = new SoftAssertions();
        List<String> shown = new ArrayList<>();
        String marker = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = MARKER.matcher(line);
            if (m.matches()) {
                marker = m.group(1);
            } else if (line.startsWith("```java")) {
                int at = i + 1;
                List<String> body = new ArrayList<>();
                while (!lines.get(++i).startsWith("```")) {
                    body.add(lines.get(i));
                }
                softly.assertThat(marker).as("docs/migration.md:%d: a java block must follow <!-- snippet: NAME -->", at)
                        .isNotNull();
                if (marker != null) {
                    softly.assertThat(String.join("\n", body)).as("docs/migration.md:%d snippet %s", at, marker)
                            .isEqualTo(regions.get(marker));
                    shown.add(marker);
                }
                marker = null;
            } else if (!line.isBlank()) {
                marker = null;
            }
        }
        softly.assertThat(shown).containsExactlyInAnyOrderElementsOf(regions.keySet());
        softly.assertAll();
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
                int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                        .min().orElse(0);
                List<String> out = new ArrayList<>();
                for (String l : body) {
                    out.add(l.isBlank() ? "" : l.substring(indent));
                }
                found.put(open, String.join("\n", out));
                open = null;
            } else if (open != null) {
                body.add(line);
            }
        }
        return found;
    }
}
