package dev.asynclocal.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spring Boot throughput run, one second per variant: both servers start from this class path,
 * every answer is what its variant must give (the request's own id with the starter, none without
 * it, checked by the load generator on every request), and the JSON lists both rates and the Boot
 * version that ran.
 */
class SpringBootThroughputTest {
    @Test
    void theStarterAndTheBaselineServeAndAnswerAsTheyShould(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("spring-boot.json");
        SpringBootThroughput.main(new String[] {"--warmup", "1", "--measure", "1", "--slice", "1", "--rounds", "1",
                "--connections", "4", "--variants", "none,starter", "--out", out.toString()});
        String json = Files.readString(out);
        assertThat(json).contains("\"benchmark\": \"SpringBootThroughput\"", "\"springBoot\": \"4.0.7\"");
        for (String variant : new String[] {"none", "starter"}) {
            Matcher m = Pattern.compile("\"" + variant + "\": \\[([0-9.]+)\\]").matcher(json);
            assertThat(m.find()).as(variant + " in " + json).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as(variant + " requests/s").isPositive();
        }
        // the server's CPU time per request, from /proc (this module's measurements run on Linux)
        String cpu = json.substring(json.indexOf("\"cpuMicrosPerRequest\""));
        for (String variant : new String[] {"none", "starter"}) {
            Matcher m = Pattern.compile("\"" + variant + "\": \\[([0-9.]+)\\]").matcher(cpu);
            assertThat(m.find()).as(variant + " CPU in " + cpu).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as(variant + " CPU µs per request").isPositive();
        }
    }

    @Test
    void theBaselineExcludesEveryAutoConfigurationTheStarterDeclares() throws Exception {
        // A new auto-configuration in the starter must be excluded from the baseline too.
        List<String> declared = new ArrayList<>();
        for (Enumeration<URL> urls = SpringBootThroughputTest.class.getClassLoader().getResources(
                "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"); urls.hasMoreElements(); ) {
            try (var in = urls.nextElement().openStream()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.trim().startsWith("dev.asynclocal.")) {
                        declared.add(line.trim());
                    }
                }
            }
        }
        assertThat(declared).isNotEmpty();
        assertThat(SpringBootThroughput.STARTER_AUTO_CONFIGURATIONS).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void anUnknownVariantIsRefused() {
        assertThatThrownBy(() -> SpringBootThroughput.Options.parse(new String[] {"--variants", "none,fast"}))
                .hasMessageContaining("unknown variant fast");
    }
}
