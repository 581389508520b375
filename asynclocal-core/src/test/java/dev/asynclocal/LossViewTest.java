package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.internal.diagnostics.LossSite;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The API's kinds of loss are the detector's own, one for one: the view maps them by position. */
class LossViewTest {
    @Test
    void theApiKindsMatchTheDetectorsKindsInNameAndOrder() {
        assertThat(Arrays.stream(ContextLossDetector.Loss.Kind.values()).map(Enum::name))
                .containsExactlyElementsOf(Arrays.stream(LossSite.Kind.values()).map(Enum::name).toList());
    }
}
