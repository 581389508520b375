package dev.asynclocal.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test parser accepts JSON and rejects what is not, so passing it means something. */
class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Object value = Json.parse(" {\"a\": [1, -2.50, 3e2, true, false, null], \"b\": \"x\\\"\\u0041\\n\"} ");
        assertThat(value).isEqualTo(Map.of(
                "a", java.util.Arrays.asList(new BigDecimal("1"), new BigDecimal("-2.50"), new BigDecimal("3e2"),
                        true, false, null),
                "b", "x\"A\n"));
        assertThat(Json.parse("[]")).isEqualTo(List.of());
    }

    @Test
    void rejectsWhatIsNotJson() {
        for (String bad : List.of("{\"a\":1,}", "[1,]", "{'a':1}", "[01]", "\"a\tb\"", "{\"a\":1}x", "[1 2]",
                "{\"a\":1,\"a\":2}", "[.5]", "tru", "")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
