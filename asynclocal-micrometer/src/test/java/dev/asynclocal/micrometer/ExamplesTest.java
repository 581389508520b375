package dev.asynclocal.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Hooks;

/**
 * Runs the example of docs/micrometer.md, and checks that the page shows exactly its code
 * ({@code <!-- snippet: NAME -->} blocks equal {@code // snippet:start NAME} regions) and its
 * output ({@code <!-- output: MicrometerExample -->}).
 */
class ExamplesTest {
    private static final String OUTPUT = String.join("\n",
            "order-1 for alice on parallel",
            "order-2 for bob on boundedElastic",
            "Spring-decorated task sees carol",
            "the pool thread afterwards sees null");

    @AfterAll
    static void undoStartup() {
        Hooks.disableAutomaticContextPropagation();
        ContextRegistry.getInstance().removeThreadLocalAccessor("user");
    }

    @Test
    void theExamplePrintsWhatThePageSays() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            MicrometerExample.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n").strip()).isEqualTo(OUTPUT);
    }

    @Test
    void thePageShowsTheExampleAsItIs() throws IOException {
        Path root = Paths.get("").toAbsolutePath();
        while (!Files.exists(root.resolve("docs"))) {
            root = root.getParent();
        }
        Map<String, String> regions = regions(root.resolve("asynclocal-micrometer/src/test/java/dev/asynclocal/micrometer/MicrometerExample.java"));
        List<String> lines = Files.readAllLines(root.resolve("docs/micrometer.md"), StandardCharsets.UTF_8);
        Pattern marker = Pattern.compile("^<!--\\s*(snippet|output):\\s*([\\w.-]+)\\s*-->$");
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = marker.matcher(lines.get(i).trim());
            if (!m.matches()) {
                continue;
            }
            int close = i + 2;
            while (!lines.get(close).trim().startsWith("```")) {
                close++;
            }
            String block = String.join("\n", lines.subList(i + 2, close));
            String expected = m.group(1).equals("snippet") ? regions.get(m.group(2)) : OUTPUT;
            assertThat(block).as("docs/micrometer.md:" + (i + 1)).isEqualTo(expected);
            checked++;
        }
        assertThat(checked).isEqualTo(regions.size() + 1);
    }

    private static Map<String, String> regions(Path source) throws IOException {
        List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
        Map<String, String> regions = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.startsWith("// snippet:start ")) {
                String name = line.substring("// snippet:start ".length());
                List<String> region = new ArrayList<>();
                for (int j = i + 1; !lines.get(j).trim().equals("// snippet:end " + name); j++) {
                    region.add(lines.get(j));
                }
                int indent = region.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
                regions.put(name, region.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n")));
            }
        }
        return regions;
    }
}
