package dev.asynclocal.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * Keeps docs/grpc.md honest: a block after {@code <!-- snippet: NAME -->} equals the region between
 * {@code // snippet:start NAME} and {@code // snippet:end NAME} in this module's test sources
 * (common indentation removed), so it compiles; a block after {@code <!-- output: GrpcExample -->}
 * is what the example prints; and every Java block is marked.
 */
class DocsTest {
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*(snippet|output):\\s*([\\w.-]+)\\s*-->\\s*$");
    private static final Pattern START = Pattern.compile("^\\s*// snippet:start ([\\w.-]+)\\s*$");
    private static final Pattern END = Pattern.compile("^\\s*// snippet:end ([\\w.-]+)\\s*$");

    private record Block(int line, String language, String kind, String name, String text) {
    }

    @Test
    void thePageShowsTheExampleAsItIsAndWhatItPrints() throws Exception {
        Path root = repositoryRoot();
        Map<String, String> regions = regions(root.resolve("asynclocal-grpc/src/test/java"));
        List<Block> blocks = blocks(root.resolve("docs/grpc.md"));
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(blocks).filteredOn(b -> "snippet".equals(b.kind())).hasSizeGreaterThanOrEqualTo(5);
        for (Block block : blocks) {
            String where = "docs/grpc.md:" + block.line();
            if ("snippet".equals(block.kind())) {
                softly.assertThat(regions).as(where).containsKey(block.name());
                softly.assertThat(block.text()).as(where).isEqualTo(regions.get(block.name()));
            } else if ("output".equals(block.kind())) {
                softly.assertThat(block.name()).isEqualTo("GrpcExample");
                softly.assertThat(block.text()).as(where).isEqualTo(exampleOutput());
            } else if (block.language().equals("java")) {
                softly.fail("%s: a java block must follow <!-- snippet: NAME -->", where);
            }
        }
        softly.assertAll();
    }

    @Test
    void theExamplePrintsTheCallersStoresOnBothSides() throws Exception {
        assertThat(exampleOutput()).isEqualTo(String.join("\n",
                "server: hello from alice in req-7",
                "client got \"hello alice\" in req-7"));
    }

    private static String exampleOutput() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            GrpcExample.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8).strip().replace("\r\n", "\n");
    }

    private static List<Block> blocks(Path page) throws IOException {
        List<String> lines = Files.readAllLines(page);
        List<Block> blocks = new ArrayList<>();
        String kind = null;
        String name = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher marker = MARKER.matcher(line);
            if (marker.matches()) {
                kind = marker.group(1);
                name = marker.group(2);
                continue;
            }
            if (line.strip().startsWith("```") && line.strip().length() >= 3) {
                String language = line.strip().substring(3).strip();
                int start = i + 1;
                int end = start;
                while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                    end++;
                }
                blocks.add(new Block(i + 1, language, kind, name, String.join("\n", lines.subList(start, end))));
                i = end;
            }
            if (!line.isBlank()) {
                kind = null;
                name = null;
            }
        }
        return blocks;
    }

    private static Map<String, String> regions(Path sources) throws IOException {
        Map<String, String> regions = new HashMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher start = START.matcher(lines.get(i));
                    if (start.matches()) {
                        int end = i + 1;
                        while (!END.matcher(lines.get(end)).matches()) {
                            end++;
                        }
                        regions.put(start.group(1), dedent(lines.subList(i + 1, end)));
                    }
                }
            }
        }
        return regions;
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent));
        }
        return String.join("\n", out);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/grpc.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the repository root, above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }
}
