package dev.asynclocal.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Runs every benchmark JMH knows about (the generated {@code META-INF/BenchmarkList}) once, for every
 * {@code @Param} value, the way JMH would: fresh state objects, their {@code @Setup} methods on this
 * thread, the method, their {@code @TearDown} methods. Then checks what the method returned: the
 * value read for groups 1-3 and 6, and for the hop and chain groups how many tasks or stages saw the
 * value. A benchmark that throws, or a wrapper that silently stops propagating, fails the build
 * here instead of producing a number.
 */
class BenchmarksSanityTest {
    private static final String BLACKHOLE_CHALLENGE =
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.";
    private static final String JDK25_PACKAGE = "dev.asynclocal.benchmarks.jdk25.";

    @Test
    void everyGroupIsInTheBenchmarkList() throws IOException {
        Set<String> groups = new TreeSet<>();
        for (BenchmarkListEntry entry : entries()) {
            String className = entry.getUserClassQName();
            groups.add(className.substring(className.lastIndexOf('.') + 1));
        }
        assertThat(groups).contains("GetBenchmark", "RunBenchmark", "CaptureRestoreBenchmark",
                "ExecutorHopBenchmark", "CompletableFutureChainBenchmark", "HooksBenchmark",
                "MdcHopBenchmark", "LossDetectorBenchmark", "AgentHopBenchmark", "AgentChainBenchmark",
                "KafkaProducerBenchmark");
    }

    @Test
    void scopedValueRowsArePresentWhenBuiltWithJdk25() throws IOException {
        // Tests run on the JDK that compiled the module, so on 25+ the jdk25 profile was active.
        // (On an older JDK the rows may still be listed, left over from a JDK 25 build without clean.)
        Assumptions.assumeTrue(Runtime.version().feature() >= 25, "built without the jdk25 profile");
        assertThat(entries()).extracting(BenchmarkListEntry::getUserClassQName)
                .contains(JDK25_PACKAGE + "GetBenchmark", JDK25_PACKAGE + "RunBenchmark");
    }

    @TestFactory
    Stream<DynamicTest> everyBenchmarkRunsOnceAndSeesTheValue() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (BenchmarkListEntry entry : entries()) {
            if (entry.getUserClassQName().startsWith(JDK25_PACKAGE) && Runtime.version().feature() < 25) {
                continue; // left over from an earlier JDK 25 build; cannot load on this JDK
            }
            Method method = benchmarkMethod(entry);
            for (Map<String, String> params : paramCombinations(method)) {
                String name = entry.getUsername() + (params.isEmpty() ? "" : " " + params);
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Object result = invokeOnce(method, params);
                    assertThat(result).as(name).isEqualTo(expected(method));
                }));
            }
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    /** What a correct benchmark returns. */
    private static Object expected(Method method) {
        String group = method.getDeclaringClass().getSimpleName();
        String name = method.getName();
        switch (group) {
            case "ExecutorHopBenchmark":
            case "MdcHopBenchmark":
                return name.endsWith("_unwrapped") || name.endsWith("_noContext") ? 0 : Burst.TASKS;
            case "CompletableFutureChainBenchmark":
                return name.equals("jdk") ? 0 : CompletableFutureChainBenchmark.STAGES;
            case "AgentHopBenchmark":
                // no agent in this JVM: the plain pool is the floor and propagates nothing
                return name.equals("jdk") ? 0 : Burst.TASKS;
            case "AgentChainBenchmark":
                return name.equals("jdk") ? 0 : AgentChainBenchmark.STAGES;
            case "KafkaProducerBenchmark":
                // records acknowledged by the broker
                return KafkaProducerBenchmark.RECORDS;
            case "ThreadStartBenchmark":
                // no agent in this JVM: a new thread inherits nothing; a wait keeps the waiter's own store
                return name.equals("queueTake") || name.startsWith("conditionAwait") ? Values.VALUE : null;
            default:
                return Values.VALUE;
        }
    }

    private static List<BenchmarkListEntry> entries() throws IOException {
        try (InputStream in = BenchmarksSanityTest.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            assertThat(in).as("JMH's generated " + BenchmarkList.BENCHMARK_LIST).isNotNull();
            return BenchmarkList.readBenchmarkList(in);
        }
    }

    private static Method benchmarkMethod(BenchmarkListEntry entry) {
        String username = entry.getUsername();
        String methodName = username.substring(username.lastIndexOf('.') + 1);
        try {
            Class<?> type = Class.forName(entry.getUserClassQName());
            Method found = null;
            for (Method m : type.getMethods()) {
                if (m.getName().equals(methodName) && m.isAnnotationPresent(Benchmark.class)) {
                    assertThat(found).as("overloaded benchmark " + username).isNull();
                    found = m;
                }
            }
            assertThat(found).as("benchmark method " + username).isNotNull();
            return found;
        } catch (ClassNotFoundException e) {
            throw new AssertionError("BenchmarkList names a missing class: " + username, e);
        }
    }

    /** Every combination of the {@code @Param} values of the states the method uses. */
    private static List<Map<String, String>> paramCombinations(Method method) {
        Map<String, String[]> params = new LinkedHashMap<>();
        for (Class<?> state : statesOf(method)) {
            for (Field field : state.getFields()) {
                Param param = field.getAnnotation(Param.class);
                if (param != null) {
                    params.put(field.getName(), param.value());
                }
            }
        }
        List<Map<String, String>> combinations = new ArrayList<>();
        combinations.add(new LinkedHashMap<>());
        for (Map.Entry<String, String[]> param : params.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : combinations) {
                for (String value : param.getValue()) {
                    Map<String, String> combination = new LinkedHashMap<>(partial);
                    combination.put(param.getKey(), value);
                    next.add(combination);
                }
            }
            combinations = next;
        }
        return combinations;
    }

    private static List<Class<?>> statesOf(Method method) {
        List<Class<?>> states = new ArrayList<>();
        if (method.getDeclaringClass().isAnnotationPresent(State.class)) {
            states.add(method.getDeclaringClass());
        }
        for (Class<?> type : method.getParameterTypes()) {
            if (type.isAnnotationPresent(State.class)) {
                states.add(type);
            }
        }
        return states;
    }

    private static Object invokeOnce(Method method, Map<String, String> params) throws Throwable {
        Object benchmark = newInstance(method.getDeclaringClass());
        List<Object> states = new ArrayList<>();
        if (method.getDeclaringClass().isAnnotationPresent(State.class)) {
            states.add(benchmark);
        }
        Object[] args = new Object[method.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
            Class<?> type = method.getParameterTypes()[i];
            if (type == Blackhole.class) {
                args[i] = new Blackhole(BLACKHOLE_CHALLENGE);
            } else {
                assertThat(type.isAnnotationPresent(State.class)).as(type + " is a @State").isTrue();
                args[i] = newInstance(type);
                states.add(args[i]);
            }
        }
        for (Object state : states) {
            setParams(state, params);
        }
        for (Object state : states) {
            invokeAll(state, Setup.class);
        }
        try {
            return unwrap(() -> method.invoke(benchmark, args));
        } finally {
            for (int i = states.size() - 1; i >= 0; i--) {
                invokeAll(states.get(i), TearDown.class);
            }
        }
    }

    private static Object newInstance(Class<?> type) throws Throwable {
        assertThat(Modifier.isPublic(type.getModifiers())).as(type + " is public").isTrue();
        return unwrap(() -> type.getConstructor().newInstance());
    }

    private static void setParams(Object state, Map<String, String> params) throws IllegalAccessException {
        for (Field field : state.getClass().getFields()) {
            if (field.isAnnotationPresent(Param.class)) {
                String value = params.get(field.getName());
                if (field.getType() == int.class) {
                    field.setInt(state, Integer.parseInt(value));
                } else if (field.getType() == String.class) {
                    field.set(state, value);
                } else {
                    throw new AssertionError("unsupported @Param type " + field);
                }
            }
        }
    }

    /** Calls the state's setup or teardown methods, trial level first, as JMH orders them. */
    private static void invokeAll(Object state, Class<? extends java.lang.annotation.Annotation> kind)
            throws Throwable {
        List<Method> methods = new ArrayList<>();
        for (Method m : state.getClass().getMethods()) {
            if (m.isAnnotationPresent(kind)) {
                methods.add(m);
            }
        }
        methods.sort(Comparator.comparingInt(m -> levelOrder(m, kind)));
        for (Method m : methods) {
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                assertThat(m.getParameterTypes()[i]).as(m + " parameter").isEqualTo(Blackhole.class);
                args[i] = new Blackhole(BLACKHOLE_CHALLENGE);
            }
            unwrap(() -> m.invoke(state, args));
        }
    }

    private static int levelOrder(Method m, Class<? extends java.lang.annotation.Annotation> kind) {
        Level level = kind == Setup.class ? m.getAnnotation(Setup.class).value() : m.getAnnotation(TearDown.class).value();
        int order = Arrays.asList(Level.Trial, Level.Iteration, Level.Invocation).indexOf(level);
        return kind == Setup.class ? order : -order;
    }

    private interface Reflective {
        Object call() throws ReflectiveOperationException;
    }

    private static Object unwrap(Reflective call) throws Throwable {
        try {
            return call.call();
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
