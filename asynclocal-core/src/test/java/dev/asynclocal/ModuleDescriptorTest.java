package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports the API package only and depends on nothing but java.base. */
class ModuleDescriptorTest {

    @Test
    void exportsOnlyTheApiPackageAndRequiresOnlyJavaBase() throws Exception {
        Path descriptor = Path.of("target", "classes", "module-info.class");
        assertThat(descriptor).exists();
        try (InputStream in = Files.newInputStream(descriptor)) {
            ModuleDescriptor module = ModuleDescriptor.read(in);
            assertThat(module.name()).isEqualTo("dev.asynclocal");
            assertThat(module.exports()).singleElement().satisfies(export -> {
                assertThat(export.source()).isEqualTo("dev.asynclocal");
                assertThat(export.isQualified()).isFalse();
            });
            assertThat(module.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                    .containsExactly("java.base");
        }
    }
}
