package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A null-argument test for every reference parameter of every public constructor and method of the
 * core API. The table below states, per parameter, either the name the
 * {@link NullPointerException} must carry or that {@code null} is legal there (stores, and the
 * error handler, where {@code null} means "the default"). A reflective check makes sure the table
 * lists every public member, so a new method cannot slip in without a null test.
 */
class NullArgumentsTest {
    /** {@code null} is a legal argument here. */
    private static final String LEGAL = "<null is legal>";

    private static final List<Class<?>> API = List.of(
            AsyncLocalStorage.class, AsyncLocalStorage.Scope.class, Snapshot.class,
            AsyncResource.class, AsyncHooks.class, AsyncHook.class);

    private static final Map<String, String[]> EXPECTED = new LinkedHashMap<>();

    static {
        expect("AsyncLocalStorage(String)", "name");
        expect("AsyncLocalStorage(String,Object)", "name", LEGAL);
        expect("AsyncLocalStorage.run(Object,Runnable)", LEGAL, "fn");
        expect("AsyncLocalStorage.run(Object,CallableOp)", LEGAL, "fn");
        expect("AsyncLocalStorage.exit(Runnable)", "fn");
        expect("AsyncLocalStorage.exit(CallableOp)", "fn");
        expect("AsyncLocalStorage.enterWith(Object)", LEGAL);
        expect("AsyncLocalStorage.withScope(Object)", LEGAL);
        expect("AsyncLocalStorage.bind(Runnable)", "fn");
        expect("AsyncLocalStorage.bind(Callable)", "fn");
        expect("AsyncLocalStorage.bind(CompletionHandler)", "handler");
        expect("Snapshot.run(Runnable)", "fn");
        expect("Snapshot.run(CallableOp)", "fn");
        expect("Snapshot.wrap(Runnable)", "fn");
        expect("Snapshot.wrap(Callable)", "fn");
        expect("AsyncResource(String)", "type");
        expect("AsyncResource(String,long)", "type", null);
        expect("AsyncResource(String,long,boolean)", "type", null, null);
        expect("AsyncResource.runInAsyncScope(Runnable)", "fn");
        expect("AsyncResource.runInAsyncScope(CallableOp)", "fn");
        expect("AsyncResource.bind(Runnable)", "fn");
        expect("AsyncResource.bind(Callable)", "fn");
        expect("AsyncResource.bind(Runnable,String)", "fn", "type");
        expect("AsyncResource.bind(Callable,String)", "fn", "type");
        expect("AsyncHooks.createHook(Callbacks)", "callbacks");
        expect("AsyncHooks.setErrorHandler(HookErrorHandler)", LEGAL);
    }

    /** Parameter names in order; {@code null} for a primitive parameter. */
    private static void expect(String member, String... names) {
        EXPECTED.put(member, names);
    }

    @AfterEach
    void resetHandler() {
        AsyncHooks.resetErrorHandler();
    }

    @Test
    void everyPublicMemberWithAReferenceParameterIsInTheTable() {
        TreeSet<String> found = new TreeSet<>();
        for (Executable member : publicMembers()) {
            if (Arrays.stream(member.getParameterTypes()).anyMatch(t -> !t.isPrimitive())) {
                found.add(key(member));
            }
        }
        assertThat(found).as("public members with reference parameters; add new ones to EXPECTED")
                .containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
    }

    @TestFactory
    Stream<DynamicTest> eachReferenceParameter() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Executable member : publicMembers()) {
            String[] names = EXPECTED.get(key(member));
            if (names == null) {
                continue; // reported by everyPublicMemberWithAReferenceParameterIsInTheTable
            }
            Class<?>[] types = member.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (types[i].isPrimitive()) {
                    continue;
                }
                int position = i;
                String expected = names[i];
                String label = key(member) + " #" + i + (expected == LEGAL ? " accepts null" : " -> NPE(" + expected + ")");
                tests.add(DynamicTest.dynamicTest(label, () -> check(member, position, expected)));
            }
        }
        return tests.stream();
    }

    /**
     * Calls {@code member} with {@code null} at {@code position} and valid values elsewhere, inside
     * a store of a probe instance, and checks the outcome and that the caller's context survived.
     */
    private static void check(Executable member, int position, String expected) {
        AsyncLocalStorage<String> probe = new AsyncLocalStorage<>();
        // Snapshot.run restores the whole context, so legal-null enterWith/withScope calls stay inside.
        Snapshot isolation = AsyncLocalStorage.snapshot();
        isolation.run(() -> probe.run("marker", () -> {
            Object[] args = validArguments(member.getParameterTypes());
            args[position] = null;
            if (expected == LEGAL) {
                assertThatCode(() -> invoke(member, args)).doesNotThrowAnyException();
            } else {
                assertThatThrownBy(() -> invoke(member, args))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessageContaining(expected);
                assertThat(probe.getStore()).isEqualTo("marker");
                assertThat(AsyncHooks.executionAsyncId()).isEqualTo(1);
            }
        }));
    }

    private static Object invoke(Executable member, Object[] args) throws Throwable {
        try {
            if (member instanceof Constructor) {
                return ((Constructor<?>) member).newInstance(args);
            }
            Method method = (Method) member;
            Object target = Modifier.isStatic(method.getModifiers()) ? null : receiver(method.getDeclaringClass());
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Object receiver(Class<?> type) {
        if (type == AsyncLocalStorage.class) {
            return new AsyncLocalStorage<>();
        }
        if (type == Snapshot.class) {
            return AsyncLocalStorage.snapshot();
        }
        if (type == AsyncResource.class) {
            return new AsyncResource("NullArgs", 1, true);
        }
        if (type == AsyncHook.class) {
            return AsyncHooks.createHook(new AsyncHook.Callbacks() { });
        }
        throw new AssertionError("no receiver for " + type);
    }

    private static Object[] validArguments(Class<?>[] types) {
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            args[i] = validArgument(types[i]);
        }
        return args;
    }

    private static Object validArgument(Class<?> type) {
        if (type == String.class) {
            return "t";
        }
        if (type == Object.class) {
            return "store";
        }
        if (type == Runnable.class) {
            return (Runnable) () -> { };
        }
        if (type == Callable.class) {
            return (Callable<Object>) () -> null;
        }
        if (type == CallableOp.class) {
            return (CallableOp<Object, RuntimeException>) () -> null;
        }
        if (type == long.class) {
            return 1L;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == AsyncHook.Callbacks.class) {
            return new AsyncHook.Callbacks() { };
        }
        if (type == HookErrorHandler.class) {
            return (HookErrorHandler) (callback, resourceType, asyncId, error) -> { };
        }
        if (type == java.nio.channels.CompletionHandler.class) {
            return new java.nio.channels.CompletionHandler<Object, Object>() {
                @Override
                public void completed(Object result, Object attachment) {
                }

                @Override
                public void failed(Throwable exc, Object attachment) {
                }
            };
        }
        throw new AssertionError("no valid value for " + type + "; extend validArgument");
    }

    private static List<Executable> publicMembers() {
        List<Executable> members = new ArrayList<>();
        for (Class<?> type : API) {
            for (Constructor<?> c : type.getConstructors()) {
                members.add(c);
            }
            for (Method m : type.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    members.add(m);
                }
            }
        }
        return members;
    }

    private static String key(Executable member) {
        String params = Arrays.stream(member.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(","));
        if (member instanceof Constructor) {
            return member.getDeclaringClass().getSimpleName() + "(" + params + ")";
        }
        return member.getDeclaringClass().getSimpleName() + "." + member.getName() + "(" + params + ")";
    }

    // ---- a few of the same checks written out, as documentation ----

    @Test
    void runWithNullFunctionNamesFnAndLeavesTheContextAlone() {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>();
        als.run("outer", () -> {
            assertThatThrownBy(() -> als.run("inner", (Runnable) null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
            assertThat(als.getStore()).isEqualTo("outer");
        });
    }

    @Test
    @SuppressWarnings("try") // the scope is used only for its effect, as withScope is meant to be
    void nullStoresAreLegalEverywhere() {
        AsyncLocalStorage<String> als = new AsyncLocalStorage<>("a", "D");
        AsyncLocalStorage.snapshot().run(() -> {
            als.run(null, () -> assertThat(als.getStore()).isNull());
            try (AsyncLocalStorage.Scope ignored = als.withScope(null)) {
                assertThat(als.getStore()).isNull();
            }
            als.enterWith(null);
            assertThat(als.getStore()).isNull();
        });
    }

    @Test
    void staticResourceBindChecksFunctionBeforeType() {
        assertThatThrownBy(() -> AsyncResource.bind((Runnable) null, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
    }
}
