package dev.asynclocal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user does with the README's quick start, done for real: a throwaway Maven project
 * whose {@code pom.xml} is the README's XML blocks (the BOM import with the dependency, and the
 * recipe that copies the agent jar) and whose {@code Main.java} is the README's quick-start
 * program, built by Maven against the artifacts this build just made, then run with and without
 * the agent jar the recipe copied. The artifacts reach it through a file repository laid
 * out from the reactor's own {@code target} directories, so nothing is installed anywhere.
 */
class QuickStartIT {
    private static final Pattern VERSION = Pattern.compile("<artifactId>asynclocal-bom</artifactId>\\s*<version>([^<]+)</version>");

    @Test
    void theReadmesQuickStartBuildsAndRunsInAFreshProject(@TempDir Path dir) throws Exception {
        Path root = repositoryRoot();
        String readme = Files.readString(root.resolve("README.md"));
        List<String> xml = blocks(readme, "xml");
        String dependencies = xml.get(0);       // the BOM import and the dependency
        String agentPlugin = xml.get(1);        // the recipe that copies the agent jar
        String main = blockAfter(readme, "<!-- quickstart: Main.java -->", "java");
        Matcher version = VERSION.matcher(dependencies);
        assertThat(version.find()).as("the README's BOM import names a version").isTrue();
        String v = version.group(1);

        Path repository = dir.resolve("repository");
        publish(repository, "asynclocal-parent", v, root.resolve("pom.xml"), null);
        publish(repository, "asynclocal-bom", v, root.resolve("asynclocal-bom/pom.xml"), null);
        publish(repository, "asynclocal-core", v, root.resolve("asynclocal-core/pom.xml"),
                root.resolve("asynclocal-core/target/asynclocal-core-" + v + ".jar"));
        publish(repository, "asynclocal-agent", v, root.resolve("asynclocal-agent/pom.xml"),
                root.resolve("asynclocal-agent/target/asynclocal-agent-" + v + ".jar"));

        Path project = dir.resolve("quickstart");
        Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(project.resolve("pom.xml"), String.join("\n",
                "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">",
                "  <modelVersion>4.0.0</modelVersion>",
                "  <groupId>example</groupId>",
                "  <artifactId>quickstart</artifactId>",
                "  <version>1</version>",
                "  <properties>",
                "    <maven.compiler.release>17</maven.compiler.release>",
                "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>",
                "  </properties>",
                // Only the test adds this: where "mvn install" from a clone would have put the artifacts.
                "  <repositories><repository><id>asynclocal-build</id><url>" + repository.toUri() + "</url>"
                        + "<snapshots><enabled>true</enabled></snapshots></repository></repositories>",
                dependencies,
                "  <build><plugins>",
                // what any project compiling for Java 17 has (Maven 3.8's default compiler is too old)
                "    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId>"
                        + "<version>3.14.0</version></plugin>",
                agentPlugin,
                "  </plugins></build>",
                "</project>"));
        Files.writeString(project.resolve("src/main/java/Main.java"), main);

        String built = run(project, List.of(mvn(), "-B", "-q", "package"));
        assertThat(built).as("mvn package of the quick start").startsWith("exit 0");
        assertThat(project.resolve("target/asynclocal-agent.jar")).as("the agent jar copied by the recipe").isRegularFile();

        Path coreJar = root.resolve("asynclocal-core/target/asynclocal-core-" + v + ".jar");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        String ran = run(project, List.of(java, "-cp",
                project.resolve("target/classes") + File.pathSeparator + coreJar, "Main"));
        assertThat(ran).startsWith("exit 0").contains("r-1: on a pool thread").contains("r-2: on a pool thread");
        String withAgent = run(project, List.of(java, "-javaagent:target/asynclocal-agent.jar", "-cp",
                project.resolve("target/classes") + File.pathSeparator + coreJar, "Main"));
        assertThat(withAgent).startsWith("exit 0").contains("r-1: on a pool thread").contains("r-2: on a pool thread");
    }

    /** Lays out one artifact as a Maven repository does. */
    private static void publish(Path repository, String artifact, String version, Path pom, Path jar) throws IOException {
        Path at = repository.resolve("dev/asynclocal/" + artifact + "/" + version);
        Files.createDirectories(at);
        Files.copy(pom, at.resolve(artifact + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            assertThat(jar).as("built by the reactor before this test").isRegularFile();
            Files.copy(jar, at.resolve(artifact + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String mvn() {
        return System.getProperty("os.name").startsWith("Windows") ? "mvn.cmd" : "mvn";
    }

    private static String run(Path directory, List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        return "exit " + process.exitValue() + "\n" + output;
    }

    /** The fenced blocks of one language, in order. */
    private static List<String> blocks(String markdown, String language) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^```" + language + "\\n(.*?)^```", Pattern.DOTALL).matcher(markdown);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static String blockAfter(String markdown, String marker, String language) {
        int at = markdown.indexOf(marker);
        assertThat(at).as("README has " + marker).isNotNegative();
        return blocks(markdown.substring(at), language).get(0);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(dir.resolve("README.md")) || !Files.isDirectory(dir.resolve("asynclocal-core"))) {
            dir = dir.getParent();
        }
        return dir;
    }
}
