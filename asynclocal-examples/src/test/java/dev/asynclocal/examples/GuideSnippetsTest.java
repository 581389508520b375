package dev.asynclocal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the guides honest: every Java block in {@code docs/guide.md} and
 * {@code docs/guide.zh-CN.md} is a region of an example source in this module, so it compiles
 * and its test runs it; every output block is what the example really prints.
 *
 * <p>In the guides, a Java block must follow the line {@code <!-- snippet: NAME -->}, and its
 * text must equal the region between {@code // snippet:start NAME} and
 * {@code // snippet:end NAME} in an example source, compared after removing the common
 * indentation. A block after {@code <!-- output: ClassName -->} must equal the standard output of
 * that example's {@code main}, run in a fresh JVM.
 */
class GuideSnippetsTest {
    private static final List<String> GUIDES = List.of("docs/guide.md", "docs/guide.zh-CN.md");
    private static final String EXAMPLES_DIR = "asynclocal-examples/src/main/java/dev/asynclocal/examples";
    /**
     * Snippets that need JDK 25's preview API ({@code StructuredTaskScope}): their regions live in
     * tests that the agent module compiles and runs on JDK 25 (the second pass of CI).
     */
    private static final String JAVA25_DIR = "asynclocal-agent/src/test/java25/dev/asynclocal/agent";

    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*([\\w+-]*)\\s*$");
    private static final Pattern SNIPPET_MARKER = Pattern.compile("^\\s*<!--\\s*snippet:\\s*([\\w.-]+)\\s*-->\\s*$");
    private static final Pattern OUTPUT_MARKER = Pattern.compile("^\\s*<!--\\s*output:\\s*([\\w.]+)\\s*-->\\s*$");
    private static final Pattern ANY_MARKER = Pattern.compile("^\\s*<!--\\s*(snippet|output):.*$");
    private static final Pattern REGION_START = Pattern.compile("^\\s*// snippet:start ([\\w.-]+)\\s*$");
    private static final Pattern REGION_END = Pattern.compile("^\\s*// snippet:end ([\\w.-]+)\\s*$");

    private static Path root;
    private static Map<String, String> regions;

    /** A fenced block of a guide, with the marker on the last non-blank line before it, if any. */
    record Block(String guide, int line, String language, String markerKind, String markerName, String text) {
        String where() {
            return guide + ":" + line;
        }
    }

    @BeforeAll
    static void readExampleSources() throws IOException {
        root = findRepositoryRoot();
        regions = readRegions(root.resolve(EXAMPLES_DIR));
        Map<String, String> java25 = readRegions(root.resolve(JAVA25_DIR));
        assertThat(regions.keySet()).as("regions defined in both %s and %s", EXAMPLES_DIR, JAVA25_DIR)
                .doesNotContainAnyElementsOf(java25.keySet());
        regions.putAll(java25);
    }

    @Test
    void everyJavaBlockInTheGuidesIsAMarkedSnippet() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        for (String guide : GUIDES) {
            for (Block block : readBlocks(guide)) {
                if (block.language().equals("java")) {
                    softly.assertThat(block.markerKind())
                            .as("%s: a java block must follow <!-- snippet: NAME -->", block.where())
                            .isEqualTo("snippet");
                }
            }
        }
        softly.assertAll();
    }

    @Test
    void everySnippetEqualsItsRegionInTheExampleSources() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        int compared = 0;
        for (String guide : GUIDES) {
            for (Block block : readBlocks(guide)) {
                if (!"snippet".equals(block.markerKind())) {
                    continue;
                }
                softly.assertThat(block.language()).as("%s: language of snippet %s", block.where(), block.markerName())
                        .isEqualTo("java");
                String region = regions.get(block.markerName());
                softly.assertThat(region).as("%s: no region named %s in %s", block.where(), block.markerName(), EXAMPLES_DIR)
                        .isNotNull();
                if (region != null) {
                    softly.assertThat(dedent(block.text())).as("%s: snippet %s", block.where(), block.markerName())
                            .isEqualTo(region);
                    compared++;
                }
            }
        }
        softly.assertAll();
        assertThat(compared).as("snippets compared").isGreaterThan(0);
    }

    @Test
    void everyGuideShowsEveryRegion() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        for (String guide : GUIDES) {
            List<String> shown = readBlocks(guide).stream()
                    .filter(block -> "snippet".equals(block.markerKind()))
                    .map(Block::markerName)
                    .collect(Collectors.toList());
            softly.assertThat(new TreeSet<>(shown)).as("regions shown in %s", guide)
                    .containsExactlyElementsOf(new TreeSet<>(regions.keySet()));
        }
        softly.assertAll();
    }

    @Test
    void everyMarkerIsFollowedByABlock() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        for (String guide : GUIDES) {
            List<String> lines = Files.readAllLines(root.resolve(guide));
            for (int i = 0; i < lines.size(); i++) {
                if (!ANY_MARKER.matcher(lines.get(i)).matches()) {
                    continue;
                }
                int next = i + 1;
                while (next < lines.size() && lines.get(next).isBlank()) {
                    next++;
                }
                softly.assertThat(next < lines.size() && FENCE.matcher(lines.get(next)).matches())
                        .as("%s:%d: marker %s is not followed by a code block", guide, i + 1, lines.get(i).trim())
                        .isTrue();
                softly.assertThat(SNIPPET_MARKER.matcher(lines.get(i)).matches()
                                || OUTPUT_MARKER.matcher(lines.get(i)).matches())
                        .as("%s:%d: malformed marker %s", guide, i + 1, lines.get(i).trim())
                        .isTrue();
            }
        }
        softly.assertAll();
    }

    @Test
    void everyOutputBlockIsWhatTheExamplePrints() throws Exception {
        Map<String, String> printed = new HashMap<>();
        SoftAssertions softly = new SoftAssertions();
        int compared = 0;
        for (String guide : GUIDES) {
            for (Block block : readBlocks(guide)) {
                if (!"output".equals(block.markerKind())) {
                    continue;
                }
                String mainClass = block.markerName().contains(".")
                        ? block.markerName()
                        : "dev.asynclocal.examples." + block.markerName();
                if (!printed.containsKey(mainClass)) {
                    printed.put(mainClass, ExampleOutput.runInFreshJvm(mainClass));
                }
                softly.assertThat(block.text() + "\n").as("%s: output of %s", block.where(), mainClass)
                        .isEqualTo(printed.get(mainClass));
                compared++;
            }
        }
        softly.assertAll();
        assertThat(compared).as("output blocks compared").isGreaterThan(0);
    }

    @Test
    void dedentRemovesOnlyTheCommonIndentation() {
        assertThat(dedent("\n    a {\n        b;\n\n    }  \n\n")).isEqualTo("a {\n    b;\n\n}");
    }

    private static List<Block> readBlocks(String guide) throws IOException {
        Path file = root.resolve(guide);
        assertThat(file).as("the guide %s", guide).isRegularFile();
        List<String> lines = Files.readAllLines(file);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int start = i;
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).trim().equals("```")) {
                end++;
            }
            assertThat(end).as("%s:%d: unclosed code block", guide, start + 1).isLessThan(lines.size());
            String markerKind = null;
            String markerName = null;
            int previous = start - 1;
            while (previous >= 0 && lines.get(previous).isBlank()) {
                previous--;
            }
            if (previous >= 0) {
                Matcher snippet = SNIPPET_MARKER.matcher(lines.get(previous));
                Matcher output = OUTPUT_MARKER.matcher(lines.get(previous));
                if (snippet.matches()) {
                    markerKind = "snippet";
                    markerName = snippet.group(1);
                } else if (output.matches()) {
                    markerKind = "output";
                    markerName = output.group(1);
                }
            }
            String text = String.join("\n", lines.subList(start + 1, end));
            blocks.add(new Block(guide, start + 1, open.group(1), markerKind, markerName, text));
            i = end;
        }
        return blocks;
    }

    /** Reads every {@code // snippet:start NAME} ... {@code // snippet:end NAME} region. */
    private static Map<String, String> readRegions(Path dir) throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        List<Path> sources;
        try (Stream<Path> files = Files.list(dir)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source);
            String open = null;
            int openLine = 0;
            List<String> body = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher start = REGION_START.matcher(line);
                Matcher end = REGION_END.matcher(line);
                String where = source.getFileName() + ":" + (i + 1);
                if (start.matches()) {
                    assertThat(open).as("%s: region %s starts inside region %s", where, start.group(1), open).isNull();
                    assertThat(found).as("%s: region %s defined twice", where, start.group(1))
                            .doesNotContainKey(start.group(1));
                    open = start.group(1);
                    openLine = i + 1;
                    body.clear();
                } else if (end.matches()) {
                    assertThat(end.group(1)).as("%s: end of a region that is not open", where).isEqualTo(open);
                    found.put(open, dedent(String.join("\n", body)));
                    open = null;
                } else if (open != null) {
                    body.add(line);
                }
            }
            assertThat(open).as("%s:%d: region %s is never closed", source.getFileName(), openLine, open).isNull();
        }
        assertThat(found).as("regions in %s", dir).isNotEmpty();
        return found;
    }

    /**
     * Strips trailing whitespace from each line, leading and trailing blank lines, and the
     * indentation common to all non-blank lines.
     */
    static String dedent(String text) {
        List<String> lines = text.lines().map(String::stripTrailing).collect(Collectors.toCollection(ArrayList::new));
        while (!lines.isEmpty() && lines.get(0).isEmpty()) {
            lines.remove(0);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        int common = lines.stream()
                .filter(line -> !line.isEmpty())
                .mapToInt(line -> line.length() - line.stripLeading().length())
                .min()
                .orElse(0);
        return lines.stream()
                .map(line -> line.isEmpty() ? line : line.substring(common))
                .collect(Collectors.joining("\n"));
    }

    /** The directory holding the reactor's pom and this module, found by walking up. */
    private static Path findRepositoryRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve(EXAMPLES_DIR))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new AssertionError("no directory above " + Paths.get("").toAbsolutePath() + " contains " + EXAMPLES_DIR);
    }
}
