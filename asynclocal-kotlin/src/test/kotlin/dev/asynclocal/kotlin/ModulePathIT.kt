package dev.asynclocal.kotlin

import dev.asynclocal.kotlin.probe.ModulePathProbe
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/**
 * The coroutine element switches frames through the core's `internal` package, which the core's
 * module descriptor exports to this module by name: with everything on the module path (the core
 * a named module, this jar an automatic module named by its manifest), a coroutine still sees its
 * store after a dispatcher hop instead of failing with an IllegalAccessError.
 */
class ModulePathIT {
    @Test
    fun theElementWorksWithTheCoreOnTheModulePath() {
        val classPath = System.getProperty("java.class.path").split(File.pathSeparator)
        val core = classPath.single { it.replace('\\', '/').contains("asynclocal-core") }
        val libraries = classPath.filter { entry ->
            listOf("kotlin-stdlib", "kotlinx-coroutines-core").any { File(entry).name.startsWith(it) }
        }
        val kotlinJar = Files.list(Path.of("target")).use { files ->
            files.filter { file ->
                val name = file.fileName.toString()
                name.startsWith("asynclocal-kotlin-") && name.endsWith(".jar") &&
                    !name.endsWith("-sources.jar") && !name.endsWith("-javadoc.jar")
            }.findFirst().orElseThrow()
        }
        val modulePath = (listOf(core, kotlinJar.toString()) + libraries).joinToString(File.pathSeparator)
        val java = Path.of(System.getProperty("java.home"), "bin", "java").toString()
        val process = ProcessBuilder(java, "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH",
            "-cp", "target/test-classes", ModulePathProbe::class.java.name)
            .redirectErrorStream(true)
            .start()
        val output = process.inputStream.bufferedReader().readText()
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue()
        assertThat(process.exitValue()).`as`(output).isZero()
        assertThat(output).contains("module dev.asynclocal", "module dev.asynclocal.kotlin", "after the hop: on the module path")
    }
}
