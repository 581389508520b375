package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module exports the API package to everyone and the internal package only to the library's
 * own modules that switch frames (the agent, the JUnit extension, the coroutine element); it depends on nothing at run time but java.base. {@code jdk.jfr} is required
 * statically: only the context-loss detector's JFR events use it, loaded once the detector is on,
 * and a runtime without it runs everything else.
 */
class ModuleDescriptorTest {

    @Test
    void exportsOnlyTheApiPackageAndRequiresOnlyJavaBaseAtRunTime() throws Exception {
        Path descriptor = Path.of("target", "classes", "module-info.class");
        assertThat(descriptor).exists();
        try (InputStream in = Files.newInputStream(descriptor)) {
            ModuleDescriptor module = ModuleDescriptor.read(in);
            assertThat(module.name()).isEqualTo("dev.asynclocal");
            assertThat(module.exports()).filteredOn(export -> !export.isQualified()).singleElement()
                    .satisfies(export -> assertThat(export.source()).isEqualTo("dev.asynclocal"));
            assertThat(module.exports()).filteredOn(ModuleDescriptor.Exports::isQualified).singleElement()
                    .satisfies(export -> {
                        assertThat(export.source()).isEqualTo("dev.asynclocal.internal");
                        assertThat(export.targets()).containsExactlyInAnyOrder(
                                "dev.asynclocal.agent", "dev.asynclocal.junit", "dev.asynclocal.kotlin");
                    });
            Map<String, Set<ModuleDescriptor.Requires.Modifier>> requires = module.requires().stream()
                    .collect(Collectors.toMap(ModuleDescriptor.Requires::name, ModuleDescriptor.Requires::modifiers));
            assertThat(requires).containsOnlyKeys("java.base", "jdk.jfr");
            assertThat(requires.get("jdk.jfr")).containsExactly(ModuleDescriptor.Requires.Modifier.STATIC);
        }
    }
}
