package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A resource run after its {@code emitDestroy()}: it runs, as in Node, and strict mode says so. */
class AsyncResourceStrictTest {
    @Test
    void runningAfterEmitDestroyRunsAndStrictModeWarns() {
        assertThat(dev.asynclocal.internal.diagnostics.StrictMode.ENABLED).isTrue();
        AsyncResource resource = new AsyncResource("Late").emitDestroy();
        AtomicBoolean ran = new AtomicBoolean();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            resource.runInAsyncScope(() -> ran.set(true));
        } finally {
            System.setErr(original);
        }
        assertThat(ran).isTrue();
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("runInAsyncScope on AsyncResource[type=Late").contains("after its emitDestroy()");
    }
}
