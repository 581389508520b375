package dev.asynclocal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
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
import java.util.stream.Stream;

/**
 * Keeps a guide page honest, as {@code GuideSnippetsTest} does for the user guide: a Java block
 * after {@code <!-- snippet: NAME -->} must equal the region between {@code // snippet:start NAME}
 * and {@code // snippet:end NAME} in this module's test sources (common indentation removed), and
 * a block after {@code <!-- output: ClassName -->} must equal what that example's {@code main}
 * prints.
 */
final class DocExamples {
    private static final Pattern FENCE = Pattern.compile("^\\s*```.*$");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*(snippet|output):\\s*([\\w.-]+)\\s*-->\\s*$");
    private static final Pattern START = Pattern.compile("^\\s*// snippet:start ([\\w.-]+)\\s*$");
    private static final Pattern END = Pattern.compile("^\\s*// snippet:end ([\\w.-]+)\\s*$");

    private DocExamples() {
    }

    /** A marked block of a page: the kind and name of its marker, its text. */
    record Block(String kind, String name, String text, int line) {
    }

    static Path repositoryRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root with docs/").isNotNull();
        return dir;
    }

    static List<Block> blocks(String page) throws IOException {
        List<String> lines = Files.readAllLines(repositoryRoot().resolve(page), StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher marker = MARKER.matcher(lines.get(i));
            if (!marker.matches()) {
                continue;
            }
            int open = i + 1;
            assertThat(FENCE.matcher(lines.get(open)).matches()).as(page + ":" + (open + 1) + " opens a block").isTrue();
            int close = open + 1;
            while (!FENCE.matcher(lines.get(close)).matches()) {
                close++;
            }
            blocks.add(new Block(marker.group(1), marker.group(2), String.join("\n", lines.subList(open + 1, close)), i + 1));
        }
        return blocks;
    }

    static Map<String, String> regions(Path sources) throws IOException {
        Map<String, String> regions = new HashMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
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

    static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }

    /** Runs {@code type.main} in this JVM and returns what it printed on {@code System.out}. */
    static String output(Class<?> type) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            Method main = type.getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n").strip();
    }
}
