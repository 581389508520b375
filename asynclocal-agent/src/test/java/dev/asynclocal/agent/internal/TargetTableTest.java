package dev.asynclocal.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TransferQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every row of {@link TargetTable} against the JDK that runs this test: a row for this JDK
 * matches a method in every JDK class it names (and a row for other JDKs matches none), weaving
 * it changes those classes the way the installer weaves it, its application-class part matches
 * an application class of that shape and no JDK class, and every advice class in the agent is
 * named by the table and takes exactly what its rows give it. Run it on JDK 17 and 25.
 */
class TargetTableTest {
    private static final int FEATURE = Runtime.version().feature();

    // ------------------------------------------------------------------ application classes of each shape

    static final class SamplePool extends ThreadPoolExecutor {
        SamplePool() {
            super(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        }

        @Override
        protected void beforeExecute(Thread thread, Runnable task) {
        }

        @Override
        protected void afterExecute(Runnable task, Throwable thrown) {
        }
    }

    static final class SampleThread extends Thread {
        @Override
        public void run() {
        }
    }

    static final class SampleFactory implements ThreadFactory {
        @Override
        public Thread newThread(Runnable task) {
            return new Thread(task);
        }
    }

    /** Names the interface itself, as a library's own queue would. */
    static final class SampleQueue extends LinkedBlockingQueue<Object> implements BlockingQueue<Object> {
        private static final long serialVersionUID = 1;

        @Override
        public Object take() throws InterruptedException {
            return super.take();
        }
    }

    static final class SampleDeque extends LinkedBlockingDeque<Object> implements BlockingDeque<Object> {
        private static final long serialVersionUID = 1;

        @Override
        public Object takeFirst() throws InterruptedException {
            return super.takeFirst();
        }
    }

    static final class SampleTransferQueue extends LinkedTransferQueue<Object> implements TransferQueue<Object> {
        private static final long serialVersionUID = 1;

        @Override
        public Object poll(long timeout, TimeUnit unit) throws InterruptedException {
            return super.poll(timeout, unit);
        }
    }

    /** For each JDK type whose application subclasses or implementations a row matches: one such class. */
    private static final Map<String, Class<?>> SAMPLES = Map.of(
            "java.util.concurrent.ThreadPoolExecutor", SamplePool.class,
            "java.lang.Thread", SampleThread.class,
            "java.util.concurrent.ThreadFactory", SampleFactory.class,
            "java.util.concurrent.BlockingQueue", SampleQueue.class,
            "java.util.concurrent.BlockingDeque", SampleDeque.class,
            "java.util.concurrent.TransferQueue", SampleTransferQueue.class);

    /** JDK classes of the same shapes that the rows do not name: left alone (whichever exist here). */
    private static final Map<String, List<String>> JDK_CLASSES_OF_THE_SAME_SHAPE = Map.of(
            "java.util.concurrent.ThreadPoolExecutor", List.of("java.util.concurrent.ScheduledThreadPoolExecutor"),
            "java.lang.Thread", List.of("java.util.concurrent.ForkJoinWorkerThread", "java.util.TimerThread"),
            "java.util.concurrent.ThreadFactory", List.of("java.util.concurrent.CompletableFuture$Delayer$DaemonThreadFactory",
                    "java.lang.ThreadBuilders$BaseThreadFactory"),
            "java.util.concurrent.BlockingQueue", List.of("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue"));

    // ------------------------------------------------------------------ the rows against this JDK

    @TestFactory
    Stream<DynamicTest> everyRowForThisJdkMatchesAMethodOfEveryJdkClassItNamesAndNoOtherRowDoes() {
        return TargetTable.ROWS.stream().map(row -> dynamicTest(row.toString(), () -> {
            for (String name : row.types.jdkClasses) {
                Class<?> type = jdkClass(name);
                if (row.matchesOn(FEATURE)) {
                    assertThat(type).as("%s exists on JDK %d", name, FEATURE).isNotNull();
                    assertThat(matched(row, type)).as("methods of %s matched by %s", name, row.methods).isNotEmpty();
                } else if (type != null) {
                    assertThat(matched(row, type)).as("a row for JDK %d-%d matches nothing on JDK %d",
                            row.since, row.until, FEATURE).isEmpty();
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> weavingEveryRowChangesTheJdkClassesItNamesAsTheInstallerWeavesIt() {
        Installer.Weaver weaver = new Installer.Weaver(new ClassFileLocator.Compound(
                ClassFileLocator.ForClassLoader.of(TargetTable.class.getClassLoader()),
                ClassFileLocator.ForClassLoader.ofBootLoader()));
        return TargetTable.ROWS.stream().filter(row -> !row.types.jdkClasses.isEmpty()).map(row ->
                dynamicTest(row.toString(), () -> {
                    Assumptions.assumeTrue(row.matchesOn(FEATURE), "a row for JDK " + row.since + "-" + row.until);
                    for (String name : row.types.jdkClasses) {
                        assertThat(woven(weaver, row, name)).as("%s woven by %s", name, row).isNotEqualTo(original(name));
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> theApplicationPartOfARowMatchesApplicationClassesOfThatShapeAndNoJdkClass() {
        return TargetTable.ROWS.stream()
                .filter(row -> row.types.applicationSubclassesOf != null || !row.types.applicationImplementorsOf.isEmpty())
                .map(row -> dynamicTest(row.toString(), () -> {
                    Set<String> shapes = new LinkedHashSet<>(row.types.applicationImplementorsOf);
                    if (row.types.applicationSubclassesOf != null) {
                        shapes.add(row.types.applicationSubclassesOf);
                    }
                    for (String shape : shapes) {
                        Class<?> sample = SAMPLES.get(shape);
                        assertThat(sample).as("a sample application class for %s in this test", shape).isNotNull();
                        assertThat(row.types.matcher().matches(TypeDescription.ForLoadedType.of(sample)))
                                .as("%s matches %s", row.types, sample).isTrue();
                        assertThat(matched(row, sample)).as("methods of %s matched by %s", sample, row.methods).isNotEmpty();
                        assertThat(ClassFileFilter.mayTransform(sample.getClassLoader(),
                                sample.getName().replace('.', '/'), classFile(sample))).as("the filter lets %s through", sample)
                                .isTrue();
                        List<Class<?>> jdkOfTheSameShape = JDK_CLASSES_OF_THE_SAME_SHAPE.getOrDefault(shape, List.of())
                                .stream().map(TargetTableTest::jdkClass).filter(c -> c != null).collect(Collectors.toList());
                        for (Class<?> jdk : jdkOfTheSameShape) {
                            assertThat(row.types.matcher().matches(TypeDescription.ForLoadedType.of(jdk)))
                                    .as("%s matches the JDK's %s", row.types, jdk).isFalse();
                        }
                    }
                }));
    }

    @Test
    void noMethodOfAJdkClassIsWovenByTwoRows() {
        Map<String, List<String>> wovenBy = new HashMap<>();
        for (TargetTable.Row row : TargetTable.ROWS) {
            for (String name : row.types.jdkClasses) {
                Class<?> type = jdkClass(name);
                if (type != null) {
                    for (MethodDescription method : matched(row, type)) {
                        wovenBy.computeIfAbsent(name + "." + method.toGenericString(), m -> new ArrayList<>())
                                .add(row.toString());
                    }
                }
            }
        }
        assertThat(wovenBy).isNotEmpty().allSatisfy((method, rows) -> assertThat(rows).as(method).hasSize(1));
    }

    @Test
    void theClassFileFilterLetsThroughEveryJdkClassTheRowsName() {
        for (TargetTable.Row row : TargetTable.ROWS) {
            for (String name : row.types.jdkClasses) {
                assertThat(ClassFileFilter.mayTransform(null, name.replace('.', '/'), new byte[0])).as(name).isTrue();
            }
        }
        assertThat(ClassFileFilter.mayTransform(null, "java/util/concurrent/ConcurrentHashMap", new byte[0])).isFalse();
    }

    @Test
    void everyRowHasADescriptionOfItsOwn() {
        // Tests and reports name rows by it, and TableResourceTypesIT keys its exercises by it.
        Set<String> descriptions = new LinkedHashSet<>();
        for (TargetTable.Row row : TargetTable.ROWS) {
            assertThat(descriptions.add(row.toString())).as(row.toString()).isTrue();
        }
    }

    @Test
    void theJdkClassesOfARunningJdkAreThoseOfItsRows() {
        assertThat(TargetTable.jdkClassesOn(17)).contains("java.lang.Thread",
                "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor").doesNotContain("java.lang.VirtualThread");
        assertThat(TargetTable.jdkClassesOn(25)).contains("java.lang.Thread", "java.lang.VirtualThread")
                .doesNotContain("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor");
    }

    // ------------------------------------------------------------------ the advice classes

    @Test
    void everyAdviceClassOfTheAgentIsNamedByTheTableAndNothingElseIs() throws Exception {
        Set<String> inTheTable = new TreeSet<>();
        for (TargetTable.Row row : TargetTable.ROWS) {
            if (row.advice != null) {
                inTheTable.add(row.advice.getName());
            }
        }
        assertThat(inTheTable).isEqualTo(adviceClassesOfTheAgent());
    }

    @Test
    void everyAdviceClassTakesExactlyWhatTheRowsNamingItSayItCaptures() {
        Map<Class<?>, List<TargetTable.Row>> rowsByAdvice = new HashMap<>();
        for (TargetTable.Row row : TargetTable.ROWS) {
            if (row.advice != null) {
                rowsByAdvice.computeIfAbsent(row.advice, a -> new ArrayList<>()).add(row);
            }
        }
        rowsByAdvice.forEach((advice, rows) -> {
            boolean takesType = takes(advice, Resource.Type.class);
            boolean takesEnding = takes(advice, Resource.Ending.class);
            for (TargetTable.Row row : rows) {
                assertThat(row.captures != null).as("%s names a resource type iff %s takes one", row, advice.getSimpleName())
                        .isEqualTo(takesType);
                assertThat(row.captures != null && row.captures.ending != null)
                        .as("%s names an ending iff %s takes one", row, advice.getSimpleName()).isEqualTo(takesEnding);
            }
        });
    }

    @Test
    void everyCallReplacementCallsAStaticMethodTakingTheTask() throws Exception {
        for (TargetTable.Row row : TargetTable.ROWS) {
            if (row.replacement != null) {
                Class<?> task = Class.forName(row.replacement.taskType);
                Method method = row.replacement.support.getMethod(row.replacement.method, task);
                assertThat(java.lang.reflect.Modifier.isStatic(method.getModifiers())).as(row.toString()).isTrue();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The class of that name on this JDK, or {@code null}. */
    private static Class<?> jdkClass(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** The methods and constructors {@code type} declares that {@code row} matches. */
    private static List<MethodDescription> matched(TargetTable.Row row, Class<?> type) {
        return new ArrayList<>(TypeDescription.ForLoadedType.of(type).getDeclaredMethods().filter(row.methods));
    }

    private static byte[] woven(Installer.Weaver weaver, TargetTable.Row row, String name) throws IOException {
        ClassFileLocator jdk = ClassFileLocator.ForClassLoader.ofBootLoader();
        // As the agent does: the JDK's types described from their class files (a call replacement
        // resolves the types the method bodies mention).
        TypePool types = TypePool.Default.of(jdk);
        return new ByteBuddy().with(TypeValidation.DISABLED).with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                .decorate(types.describe(name).resolve(), jdk).visit(weaver.visitor(row)).make(types).getBytes();
    }

    private static byte[] original(String name) throws IOException {
        return ClassFileLocator.ForClassLoader.ofBootLoader().locate(name).resolve();
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        try (java.io.InputStream in = type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    private static boolean takes(Class<?> advice, Class<? extends java.lang.annotation.Annotation> annotation) {
        for (Method method : advice.getDeclaredMethods()) {
            for (Parameter parameter : method.getParameters()) {
                if (parameter.isAnnotationPresent(annotation)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every class of the agent's package with a method ByteBuddy would weave as advice. */
    private static Set<String> adviceClassesOfTheAgent() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Paths.get(TargetTable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path internal = classes.resolve(TargetTable.class.getPackageName().replace('.', '/'));
        Set<String> advice = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(internal)) {
            files = listed.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
        }
        for (Path file : files) {
            String name = TargetTable.class.getPackageName() + "." + file.getFileName().toString().replace(".class", "");
            Class<?> type = Class.forName(name, false, TargetTable.class.getClassLoader());
            boolean isAdvice = Arrays.stream(type.getDeclaredMethods()).anyMatch(m ->
                    m.isAnnotationPresent(Advice.OnMethodEnter.class) || m.isAnnotationPresent(Advice.OnMethodExit.class));
            if (isAdvice) {
                advice.add(name);
            }
        }
        assertThat(advice).as("advice classes found in %s", internal).isNotEmpty();
        return advice;
    }
}
