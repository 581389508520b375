package dev.asynclocal.examples.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The "before" snippets of docs/migration.md do what the page says they do, as the "after" one does. */
class MigrationTest {
    @Test
    void everyBeforeSnippetAuditsItsUser() throws Exception {
        assertThat(BeforeExamples.Ttl.handle("alice").get(10, TimeUnit.SECONDS)).isEqualTo("audited alice");
        CompletableFuture<String> otel = new CompletableFuture<>();
        BeforeExamples.OpenTelemetry.handle("bob", otel::complete);
        assertThat(otel.get(10, TimeUnit.SECONDS)).isEqualTo("audited bob");
        assertThat(BeforeExamples.CopiedThreadLocal.handle("carol").get(10, TimeUnit.SECONDS)).isEqualTo("audited carol");
    }

    @Test
    void theAfterSnippetToo() throws Exception {
        assertThat(AfterExamples.handle("dave")).containsExactly("audited dave");
    }
}
