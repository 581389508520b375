package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * That the {@code run}-style overload pairs ({@code Runnable} / {@code CallableOp}) are pleasant to
 * call from Java: a value-returning lambda picks the returning overload, a statement block picks the
 * {@code Runnable} one, and a checked exception keeps its type without any wrapping or
 * {@code throws Throwable}.
 *
 * <p>Part of this is checked by this file compiling at all; the rest compiles small sources with
 * the JDK's javac (against the core classes, {@code --release 17}) and inspects its diagnostics,
 * because "this must <em>not</em> compile" cannot be written as ordinary test code.
 */
class OverloadResolutionTest {
    private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
    private final AtomicInteger sideEffects = new AtomicInteger();

    private void sideEffect() {
        sideEffects.incrementAndGet();
    }

    // ---- checked by this file compiling ----

    @Test
    void valueLambdaPicksTheReturningOverload() {
        String value = als.run("x", () -> "value:" + als.getStore());
        assertThat(value).isEqualTo("value:x");
        Snapshot snap = AsyncLocalStorage.snapshot();
        Integer fromSnapshot = snap.run(() -> 1);
        String fromExit = als.exit(() -> "exit");
        long fromResource = new AsyncResource("T").runInAsyncScope(() -> 5L);
        assertThat(fromSnapshot).isEqualTo(1);
        assertThat(fromExit).isEqualTo("exit");
        assertThat(fromResource).isEqualTo(5L);
    }

    @Test
    void statementBlockPicksTheRunnableOverload() {
        als.run("x", () -> {
            sideEffect();
        });
        als.exit(() -> {
            sideEffect();
        });
        AsyncLocalStorage.snapshot().run(() -> {
            sideEffect();
        });
        new AsyncResource("T").runInAsyncScope(() -> {
            sideEffect();
        });
        assertThat(sideEffects).hasValue(4);
    }

    /** No {@code throws} clause: a lambda that throws nothing checked needs none. */
    private String callerWithoutThrowsClause() {
        return als.run("x", () -> als.getStore());
    }

    /** Only {@code IOException} declared: that is exactly what the compiler infers for X. */
    private String callerThatMayFailWithIo(Path path) throws IOException {
        return als.run("x", () -> Files.readString(path));
    }

    @Test
    void noCheckedExceptionMeansNoThrowsClause() {
        assertThat(callerWithoutThrowsClause()).isEqualTo("x");
    }

    @Test
    void checkedExceptionPropagatesWithItsType() {
        Path missing = Paths.get("does-not-exist-" + System.nanoTime());
        assertThatThrownBy(() -> callerThatMayFailWithIo(missing)).isInstanceOf(IOException.class)
                .isNotInstanceOf(RuntimeException.class);
        IOException failure = new IOException("x");
        try {
            als.run("x", () -> {
                throw failure;
            });
        } catch (IOException caught) {
            // catching exactly IOException compiles only because X was inferred as IOException
            assertThat(caught).isSameAs(failure);
            return;
        }
        throw new AssertionError("IOException was not propagated");
    }

    // ---- checked by compiling snippets ----

    private static Path output;

    @BeforeAll
    static void createOutputDirectory() throws IOException {
        output = Files.createTempDirectory("asynclocal-overloads");
    }

    @AfterAll
    static void deleteOutputDirectory() throws IOException {
        try (var files = Files.walk(output)) {
            for (Path p : files.sorted((x, y) -> y.compareTo(x)).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void statementBlockResultCannotBeUsedAsAValue() {
        // If a block lambda could pick the returning overload, this would compile.
        List<String> errors = compile("Object o = ALS.run(\"x\", () -> { System.out.println(); });");
        assertThat(errors).singleElement().asString().contains("void");
    }

    @Test
    void checkedExceptionIsCheckedByTheCompiler() {
        List<String> errors = compile(
                "String s = ALS.run(\"x\", () -> java.nio.file.Files.readString(java.nio.file.Path.of(\"f\")));");
        assertThat(errors).anyMatch(e -> e.contains("IOException") && e.contains("unreported"));
        assertThat(compileInMethodThrowing("java.io.IOException",
                "String s = ALS.run(\"x\", () -> java.nio.file.Files.readString(java.nio.file.Path.of(\"f\")));"))
                .isEmpty();
    }

    @Test
    void allOverloadPairsResolveWithoutCastsOrAmbiguity() {
        assertThat(compile(
                "String a = ALS.run(\"x\", () -> \"v\");",
                "ALS.run(\"x\", () -> { });",
                "String b = ALS.exit(() -> \"v\");",
                "ALS.exit(() -> { });",
                "Snapshot s = AsyncLocalStorage.snapshot();",
                "int c = s.run(() -> 1);",
                "s.run(() -> { });",
                "AsyncResource r = new AsyncResource(\"T\");",
                "int d = r.runInAsyncScope(() -> 1);",
                "r.runInAsyncScope(() -> { });",
                "String e = ALS.run(\"x\", ALS::getStore);")).isEmpty();
    }

    @Test
    void knownPitfallExpressionLambdaInBindPicksCallable() {
        // Like ExecutorService.submit: an expression lambda with a value (list.add returns a
        // boolean) is a Callable, so the result is not a Runnable. Write a block lambda instead.
        List<String> errors = compile(
                "java.util.List<String> list = new java.util.ArrayList<>();",
                "Runnable r = AsyncLocalStorage.bind(() -> list.add(\"x\"));");
        assertThat(errors).singleElement().asString().contains("java.util.concurrent.Callable");
        assertThat(compile(
                "java.util.List<String> list = new java.util.ArrayList<>();",
                "Runnable r = AsyncLocalStorage.bind(() -> { list.add(\"x\"); });")).isEmpty();
    }

    @Test
    void knownPitfallInexactMethodReferenceIsAmbiguous() {
        // A method reference the compiler cannot resolve on its own (an overloaded method, or a
        // static method of a generic class such as AsyncLocalStorage::snapshot) matches both
        // overloads equally well. A lambda resolves it.
        List<String> errors = compile("Snapshot s = ALS.run(\"x\", AsyncLocalStorage::snapshot);");
        assertThat(errors).anyMatch(e -> e.contains("ref.ambiguous"));
        assertThat(compile("Snapshot s = ALS.run(\"x\", () -> AsyncLocalStorage.snapshot());")).isEmpty();
    }

    @Test
    void bindOverloadsPreserveTheCallableType() throws Exception {
        Callable<String> callable = AsyncLocalStorage.bind(() -> "v");
        Runnable runnable = AsyncLocalStorage.bind(() -> {
            sideEffect();
        });
        runnable.run();
        assertThat(callable.call()).isEqualTo("v");
        assertThat(sideEffects).hasValue(1);
    }

    private static List<String> compile(String... statements) {
        return compileInMethodThrowing(null, statements);
    }

    /** Compiles the statements as the body of a method; returns the compiler's error lines. */
    private static List<String> compileInMethodThrowing(String throwsClause, String... statements) {
        String source = "package dev.asynclocal.snippet;\n"
                + "import dev.asynclocal.*;\n"
                + "class Snippet {\n"
                + "  static final AsyncLocalStorage<String> ALS = new AsyncLocalStorage<>();\n"
                + "  void body()" + (throwsClause == null ? "" : " throws " + throwsClause) + " {\n"
                + "    " + String.join("\n    ", statements) + "\n"
                + "  }\n"
                + "}\n";
        // java.util.spi.ToolProvider (java.base) rather than javax.tools: the tests are compiled
        // into the dev.asynclocal module, which does not read java.compiler.
        ToolProvider javac = ToolProvider.findFirst("javac")
                .orElseThrow(() -> new AssertionError("a JDK with javac runs the tests"));
        try {
            Path dir = Files.createTempDirectory(output, "snippet");
            Path file = dir.resolve("Snippet.java");
            Files.writeString(file, source);
            String classes = Paths.get(AsyncLocalStorage.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
            StringWriter out = new StringWriter();
            javac.run(new PrintWriter(out), new PrintWriter(out), "--release", "17", "-proc:none",
                    "-XDrawDiagnostics", "-classpath", classes, "-d", dir.toString(), file.toString());
            List<String> errors = new ArrayList<>();
            for (String line : out.toString().split("\\R")) {
                if (line.contains(": compiler.err.")) {
                    errors.add(line);
                }
            }
            return errors;
        } catch (IOException | java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
