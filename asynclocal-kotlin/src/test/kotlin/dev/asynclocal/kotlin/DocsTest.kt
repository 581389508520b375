package dev.asynclocal.kotlin

import java.nio.file.Files
import java.nio.file.Path
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.SoftAssertions
import org.junit.jupiter.api.Test

/**
 * Keeps docs/kotlin.md honest: every kotlin block follows `<!-- snippet: NAME -->` and equals the
 * region `// snippet:start NAME` ... `// snippet:end NAME` of [DocExamples] (common indentation
 * removed), so it compiles; and the examples do what the page says.
 */
class DocsTest {
    private fun root(): Path {
        var dir = Path.of("").toAbsolutePath()
        while (!Files.isDirectory(dir.resolve("docs"))) dir = dir.parent
        return dir
    }

    private fun dedent(lines: List<String>): String {
        val indent = lines.filter { it.isNotBlank() }.minOfOrNull { it.length - it.trimStart().length } ?: 0
        return lines.joinToString("\n") { if (it.isBlank()) "" else it.substring(indent) }
    }

    private fun regions(source: Path): Map<String, String> {
        val found = mutableMapOf<String, String>()
        var open: String? = null
        val body = mutableListOf<String>()
        for (line in Files.readAllLines(source)) {
            val start = Regex("^\\s*// snippet:start ([\\w.-]+)\\s*$").find(line)
            val end = Regex("^\\s*// snippet:end ([\\w.-]+)\\s*$").find(line)
            when {
                start != null -> { open = start.groupValues[1]; body.clear() }
                end != null -> { found[open!!] = dedent(body); open = null }
                open != null -> body.add(line)
            }
        }
        return found
    }

    @Test
    fun everyKotlinBlockOfThePageIsARegionOfTheExamples() {
        val root = root()
        val regions = regions(root.resolve("asynclocal-kotlin/src/test/kotlin/dev/asynclocal/kotlin/DocExamples.kt"))
        val lines = Files.readAllLines(root.resolve("docs/kotlin.md"))
        val softly = SoftAssertions()
        var marker: String? = null
        var checked = 0
        var i = 0
        while (i < lines.size) {
            val line = lines[i]
            val m = Regex("^\\s*<!--\\s*snippet:\\s*([\\w.-]+)\\s*-->\\s*$").find(line)
            if (m != null) {
                marker = m.groupValues[1]
            } else if (line.startsWith("```kotlin") || line.startsWith("```java")) {
                val at = i + 1
                val body = mutableListOf<String>()
                i++
                while (!lines[i].startsWith("```")) { body.add(lines[i]); i++ }
                softly.assertThat(marker).`as`("docs/kotlin.md:$at: a code block must follow <!-- snippet: NAME -->").isNotNull()
                if (marker != null) {
                    softly.assertThat(body.joinToString("\n")).`as`("docs/kotlin.md:$at snippet $marker").isEqualTo(regions[marker])
                    checked++
                }
                marker = null
            } else if (line.isNotBlank()) {
                marker = null
            }
            i++
        }
        softly.assertThat(checked).isGreaterThanOrEqualTo(4)
        softly.assertAll()
    }

    @Test
    fun theExamplesDoWhatThePageSays() {
        DocExamples.log.clear()
        DocExamples.handle("r-1")
        assertThat(DocExamples.log).containsExactly("r-1/null: start", "r-1/alice: as alice", "r-1/null: done")
        assertThat(DocExamples.background("r-2")).containsExactlyInAnyOrder("r-2/bob", "r-2/null")
        assertThat(DocExamples.enterWith()).containsExactly("child: set in the child", "parent: null")
    }
}
