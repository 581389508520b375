package dev.asynclocal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Engine} is the only type of {@code dev.asynclocal.internal} that the library's other
 * modules may name, in their main code and their tests alike: everything else in the package can
 * change without looking outside this module. Reads every Java and Kotlin source of the sibling
 * modules.
 */
class EngineContractTest {
    private static final Pattern INTERNAL_TYPE = Pattern.compile("dev\\.asynclocal\\.internal\\.([A-Za-z_]\\w*)");

    @Test
    void otherModulesNameNoInternalTypeButTheEngine() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> modules;
        try (Stream<Path> children = Files.list(root)) {
            modules = children.filter(dir -> dir.getFileName().toString().startsWith("asynclocal-"))
                    .filter(dir -> !dir.getFileName().toString().equals("asynclocal-core"))
                    .filter(dir -> Files.isDirectory(dir.resolve("src")))
                    .toList();
        }
        assertThat(modules).as("sibling modules found from %s", root).hasSizeGreaterThan(5);

        List<String> violations = new ArrayList<>();
        int files = 0;
        for (Path module : modules) {
            try (Stream<Path> sources = Files.walk(module.resolve("src"))) {
                for (Path source : (Iterable<Path>) sources.filter(EngineContractTest::isSource)::iterator) {
                    files++;
                    Matcher m = INTERNAL_TYPE.matcher(read(source));
                    while (m.find()) {
                        if (!m.group(1).equals("Engine")) {
                            violations.add(root.relativize(source) + ": " + m.group());
                        }
                    }
                }
            }
        }
        assertThat(files).isGreaterThan(100);
        assertThat(violations).as("internal types other than Engine named outside asynclocal-core").isEmpty();
    }

    @Test
    void thePatternCatchesImportsAndQualifiedNames() {
        assertThat(INTERNAL_TYPE.matcher("import dev.asynclocal.internal.ThreadState;").find()).isTrue();
        assertThat(INTERNAL_TYPE.matcher("x = dev.asynclocal.internal.Frame.EMPTY").find()).isTrue();
        assertThat(INTERNAL_TYPE.matcher("startsWith(\"dev.asynclocal.internal.\")").find()).isFalse();
        assertThat(INTERNAL_TYPE.matcher("import dev.asynclocal.agent.internal.Installer;").find()).isFalse();
    }

    private static boolean isSource(Path file) {
        String name = file.getFileName().toString();
        return (name.endsWith(".java") || name.endsWith(".kt")) && !file.toString().contains("/target/");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
