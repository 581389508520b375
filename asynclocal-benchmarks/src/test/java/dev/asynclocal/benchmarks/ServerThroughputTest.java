package dev.asynclocal.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The throughput run, bounded to one second per variant: it runs, checks answers and writes its JSON. */
class ServerThroughputTest {
    @Test
    void everyVariantServesAndTheResultListsItsRate(@TempDir Path dir) throws Exception {
        String jar = System.getProperty("asynclocal.agent.jar", "");
        boolean agent = !jar.isEmpty() && Files.isRegularFile(Paths.get(jar));
        Path out = dir.resolve("throughput.json");
        ServerThroughput.main(new String[] {"--warmup", "0", "--measure", "1", "--rounds", "1",
                "--connections", "4", "--variants", agent ? "none,agent,wrappers" : "none,wrappers",
                "--agent-jar", jar, "--out", out.toString()});
        String json = Files.readString(out);
        assertThat(json).contains("\"benchmark\": \"ServerThroughput\"");
        for (String variant : agent ? new String[] {"none", "agent", "wrappers"} : new String[] {"none", "wrappers"}) {
            Matcher m = Pattern.compile("\"" + variant + "\": \\[([0-9.]+)\\]").matcher(json);
            assertThat(m.find()).as(variant + " in " + json).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as(variant + " requests/s").isPositive();
        }
    }

    @Test
    void anAnswerIsReadByItsContentLength() throws Exception {
        String two = "HTTP/1.1 200 OK\r\nContent-length: 6\r\nDate: x\r\n\r\nabcdefHTTP/1.1 200 OK\r\n"
                + "Content-Length: 2\r\n\r\nok";
        ByteArrayInputStream in = new ByteArrayInputStream(two.getBytes(StandardCharsets.US_ASCII));
        assertThat(ServerThroughput.readAnswer(in)).isEqualTo("abcdef");
        assertThat(ServerThroughput.readAnswer(in)).isEqualTo("ok");
    }

    @Test
    void anErrorStatusFails() {
        ByteArrayInputStream in = new ByteArrayInputStream(
                "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> ServerThroughput.readAnswer(in)).hasMessageContaining("500");
    }
}
