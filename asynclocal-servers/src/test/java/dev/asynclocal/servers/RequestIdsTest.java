package dev.asynclocal.servers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "order-42", "!~", "0f3c2a9e-1b7d-4c1e-9a8b-5d6e7f8a9b0c"})
    void visibleAsciiUpToTheLimitIsValid(String id) {
        assertThat(RequestIds.isValid(id)).isTrue();
        assertThat(RequestIds.isValid("x".repeat(RequestIds.MAX_LENGTH))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "a\tb", "a\nb", "a\rb", "\u007f", "caf\u00e9", "\u00a0", "\u4e2d", "a\u0000"})
    void anythingElseIsNot(String id) {
        assertThat(RequestIds.isValid(id)).isFalse();
    }

    @Test
    void nullAndTooLongAreNotValid() {
        assertThat(RequestIds.isValid(null)).isFalse();
        assertThat(RequestIds.isValid("x".repeat(RequestIds.MAX_LENGTH + 1))).isFalse();
    }

    @Test
    void generatedIdsAreValidHexAndDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.generate();
            assertThat(id).matches("[0-9a-f]{32}");
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void currentReadsTheDefaultStorage() {
        assertThat(RequestIds.current()).isNull();
        assertThat(RequestIds.storage().run("r-1", RequestIds::current)).isEqualTo("r-1");
    }

    @Test
    void resolveKeepsValidIdsAndReplacesTheRest() {
        RequestIdConfig config = RequestIdConfig.defaults();
        assertThat(config.resolve("abc")).isEqualTo("abc");
        assertThat(config.resolve(null)).matches("[0-9a-f]{32}");
        assertThat(config.resolve("a b")).matches("[0-9a-f]{32}");
    }

    @Test
    void aCustomGeneratorIsUsedButNeverTrusted() {
        assertThat(RequestIdConfig.defaults().withGenerator(() -> "fixed").resolve(null)).isEqualTo("fixed");
        assertThat(RequestIdConfig.defaults().withGenerator(() -> "not valid").resolve(null)).matches("[0-9a-f]{32}");
        assertThat(RequestIdConfig.defaults().withGenerator(() -> null).resolve(null)).matches("[0-9a-f]{32}");
        assertThat(RequestIdConfig.defaults().withGenerator(() -> {
            throw new IllegalStateException("broken generator");
        }).resolve(null)).matches("[0-9a-f]{32}");
    }

    @Test
    void configIsImmutableAndChecksItsArguments() {
        RequestIdConfig defaults = RequestIdConfig.defaults();
        RequestIdConfig custom = defaults.withHeader("X-Trace-Id").withMdcKey(null);
        assertThat(defaults.header()).isEqualTo("X-Request-Id");
        assertThat(defaults.mdcKey()).isEqualTo("requestId");
        assertThat(defaults.storage()).isSameAs(RequestIds.storage());
        assertThat(custom.header()).isEqualTo("X-Trace-Id");
        assertThat(custom.mdcKey()).isNull();
        assertThatThrownBy(() -> defaults.withHeader(null)).isInstanceOf(NullPointerException.class).hasMessage("header");
        assertThatThrownBy(() -> defaults.withHeader("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withStorage(null)).isInstanceOf(NullPointerException.class).hasMessage("storage");
        assertThatThrownBy(() -> defaults.withGenerator(null)).isInstanceOf(NullPointerException.class).hasMessage("generator");
        assertThatThrownBy(() -> defaults.withMdcKey("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServletRequestIdFilter(null)).isInstanceOf(NullPointerException.class).hasMessage("config");
    }
}
