package dev.asynclocal.examples.spring;

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
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/spring-boot.md honest: every {@code java} and {@code properties} block of the page
 * follows {@code <!-- snippet: NAME -->} and equals the region {@code // snippet:start NAME} ...
 * {@code // snippet:end NAME} ({@code # snippet:...} in properties files) of the example's sources,
 * common indentation removed. So the page shows code that compiles and that
 * {@link ExampleApplicationTest} runs.
 */
class DocsTest {
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*snippet:\\s*([\\w.-]+)\\s*-->\\s*$");
    private static final Pattern START = Pattern.compile("^\\s*(?://|#) snippet:start ([\\w.-]+)\\s*$");
    private static final Pattern END = Pattern.compile("^\\s*(?://|#) snippet:end ([\\w.-]+)\\s*$");

    @Test
    void everyCodeBlockOfThePageIsARegionOfTheExample() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(root.resolve("docs"))) {
            root = root.getParent();
        }
        Map<String, String> regions = new HashMap<>();
        try (Stream<Path> files = Files.walk(root.resolve("asynclocal-spring-boot-example/src/main"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                regions.putAll(regions(file));
            }
        }
        List<String> lines = Files.readAllLines(root.resolve("docs/spring-boot.md"));
        SoftAssertions softly = new SoftAssertions();
        String marker = null;
        List<String> checked = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = MARKER.matcher(line);
            if (m.matches()) {
                marker = m.group(1);
            } else if (line.strip().equals("```java") || line.strip().equals("```properties")) {
                String indent = line.substring(0, line.indexOf('`'));
                List<String> body = new ArrayList<>();
                int at = i + 1;
                while (!lines.get(++i).strip().startsWith("```")) {
                    String bodyLine = lines.get(i);
                    body.add(bodyLine.startsWith(indent) ? bodyLine.substring(indent.length()) : bodyLine);
                }
                softly.assertThat(marker).as("docs/spring-boot.md:%d: a code block must follow <!-- snippet: NAME -->", at)
                        .isNotNull();
                if (marker != null) {
                    softly.assertThat(regions).as("docs/spring-boot.md:%d: no region %s in the example", at, marker)
                            .containsKey(marker);
                    softly.assertThat(String.join("\n", body)).as("docs/spring-boot.md:%d snippet %s", at, marker)
                            .isEqualTo(regions.get(marker));
                    checked.add(marker);
                }
                marker = null;
            } else if (!line.isBlank()) {
                marker = null;
            }
        }
        softly.assertThat(checked).contains("controller", "async", "downstream", "properties", "main", "propagated-bean");
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
