package dev.asynclocal.agent.internal;

import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which classes may need transforming, decided before ByteBuddy sees a class.
 *
 * <p>Every class the JVM loads passes through the agent's transformer. Handing each one to
 * ByteBuddy would cost a description of the class per load; instead {@link #mayTransform} looks at
 * the name and at the supertypes read straight from the class file's constant pool, and lets
 * through only what a row of {@link TargetTable} may match: the JDK classes the rows name, and
 * application classes that extend a JDK class a row names for its application subclasses
 * ({@code Thread}, {@code ThreadPoolExecutor}), directly or through other application classes, or
 * that directly implement an interface a row names ({@code ThreadFactory}, {@code BlockingQueue}).
 * A class that extends a JDK class ({@code Object} included) costs one short scan of its constant
 * pool; one that extends an application class costs, the first time, a scan of the class files up
 * its chain of application superclasses.
 */
final class ClassFileFilter {
    /** The JDK classes the rows name, by internal name. */
    private static final Set<String> JDK_TARGETS = new HashSet<>();

    /** JDK classes whose application subclasses some row matches, by internal name. */
    private static final Set<String> ROOTS = new HashSet<>();

    /** JDK interfaces whose direct application implementations some row matches, by internal name. */
    private static final Set<String> INTERFACES = new HashSet<>();

    static {
        for (TargetTable.Row row : TargetTable.ROWS) {
            for (String name : row.types.jdkClasses) {
                JDK_TARGETS.add(name.replace('.', '/'));
            }
            if (row.types.applicationSubclassesOf != null) {
                ROOTS.add(row.types.applicationSubclassesOf.replace('.', '/'));
            }
            for (String name : row.types.applicationImplementorsOf) {
                INTERFACES.add(name.replace('.', '/'));
            }
        }
    }

    /**
     * Internal names of application classes known to extend a root: a class whose superclass is
     * one of them is transformed too. Names only, whatever the class loader: a name shared with an
     * unrelated class merely lets ByteBuddy look at that class and find nothing to do.
     */
    private static final Set<String> SUBCLASSES = ConcurrentHashMap.newKeySet();

    /** Per class loader, application classes known not to extend a root. */
    private static final WeakIdentityMap<ClassLoader, Set<String>> NOT_SUBCLASSES = new WeakIdentityMap<>();

    /** Deeper application class hierarchies are left to ByteBuddy. */
    private static final int MAX_DEPTH = 16;

    private ClassFileFilter() {
    }

    /**
     * Runs {@link #mayTransform} once before the transformer is registered, so that this class and
     * everything it uses are loaded: a class first needed inside the transformer would be loaded
     * from inside it, and a class needed to transform itself fails to resolve for good.
     */
    static void warmUp() {
        byte[] minimal = {
            (byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, // magic, version 17
            0, 5, // constant pool count
            7, 0, 3, // #1 Class #3
            7, 0, 4, // #2 Class #4
            1, 0, 1, 'A', // #3 Utf8 "A"
            1, 0, 16, 'j', 'a', 'v', 'a', '/', 'l', 'a', 'n', 'g', '/', 'O', 'b', 'j', 'e', 'c', 't', // #4
            0, 0x21, 0, 1, 0, 2, // access, this_class, super_class
            0, 0, // interfaces_count
        };
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        if (mayTransform(loader, "A", minimal) || !"java/lang/Object".equals(superName(minimal))) {
            throw new IllegalStateException("class file filter is broken");
        }
        mayTransform(loader, "java/lang/Thread", minimal);
        extendsRoot(loader, "dev/asynclocal/agent/internal/NoSuchClass");
        read(loader, "java/lang/Object");
    }

    /**
     * Whether the class being (re)defined may need transforming.
     *
     * @param loader the defining class loader, {@code null} for the bootstrap loader
     * @param internalName the class's name with slashes, possibly {@code null}
     * @param classFile its class file
     * @return {@code false} if the agent certainly leaves it alone
     */
    static boolean mayTransform(ClassLoader loader, String internalName, byte[] classFile) {
        if (internalName == null) {
            return false;
        }
        if (JDK_TARGETS.contains(internalName)) {
            return true;
        }
        if (ClassOrigin.isJdk(internalName)) {
            return false;
        }
        String[] supertypes = supertypes(classFile);
        if (supertypes == null || supertypes[0] == null) {
            return true; // unreadable here: let ByteBuddy decide
        }
        for (int i = 1; i < supertypes.length; i++) {
            if (INTERFACES.contains(supertypes[i])) {
                return true;
            }
        }
        if (extendsRoot(loader, supertypes[0])) {
            SUBCLASSES.add(internalName);
            return true;
        }
        return false;
    }

    /**
     * Whether a class whose superclass is {@code superName} extends a root. The JVM runs the
     * transformer on a class before it loads the superclass, so an application superclass that
     * was not seen yet is read from its class file, and so on up the chain; the answers are
     * remembered (a negative one per class loader, since another loader may define a same-named
     * class differently).
     */
    private static boolean extendsRoot(ClassLoader loader, String superName) {
        String name = superName;
        List<String> visited = null;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            if (ROOTS.contains(name) || SUBCLASSES.contains(name)) {
                if (visited != null) {
                    SUBCLASSES.addAll(visited);
                }
                return true;
            }
            if (name.equals("java/lang/Object") || ClassOrigin.isJdk(name) || loader == null) {
                break;
            }
            Set<String> negatives = NOT_SUBCLASSES.get(loader);
            if (negatives != null && negatives.contains(name)) {
                break;
            }
            byte[] superFile = read(loader, name);
            String next = superFile == null ? null : superName(superFile);
            if (next == null) {
                return true; // cannot tell here: let ByteBuddy decide
            }
            if (visited == null) {
                visited = new ArrayList<>(4);
            }
            visited.add(name);
            name = next;
        }
        if (visited != null && loader != null) {
            Set<String> negatives = NOT_SUBCLASSES.get(loader);
            if (negatives == null) {
                Set<String> fresh = ConcurrentHashMap.newKeySet();
                negatives = NOT_SUBCLASSES.putIfAbsent(loader, fresh);
                if (negatives == null) {
                    negatives = fresh;
                }
            }
            negatives.addAll(visited);
        }
        return false;
    }

    private static byte[] read(ClassLoader loader, String internalName) {
        try (java.io.InputStream in = loader.getResourceAsStream(internalName + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The loaded classes to retransform: the JDK targets already loaded and the application
     * subclasses of the roots (which are also remembered for their own subclasses to come).
     *
     * @param instrumentation the JVM's instrumentation service
     * @return the classes, all modifiable
     */
    static List<Class<?>> loaded(Instrumentation instrumentation) {
        List<Class<?>> found = new ArrayList<>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            String internalName = type.getName().replace('.', '/');
            boolean target = JDK_TARGETS.contains(internalName)
                    || (!ClassOrigin.isJdk(internalName) && !type.isInterface() && (extendsRoot(type) || implementsTarget(type)));
            if (target && instrumentation.isModifiableClass(type)) {
                if (!JDK_TARGETS.contains(internalName)) {
                    SUBCLASSES.add(internalName);
                }
                found.add(type);
            }
        }
        return found;
    }

    /**
     * The loaded targets in batches: those loaded now, then, after the caller retransformed them,
     * any target loaded meanwhile (by the retransformation itself, or by another thread), until a
     * pass finds none. A class loaded while a transformation runs on the same thread is not
     * transformed at load, so it has to be caught here.
     *
     * @param instrumentation the JVM's instrumentation service
     * @return the batches, computed lazily
     */
    static Iterable<Iterable<Class<?>>> loadedUntilNoneNew(Instrumentation instrumentation) {
        return () -> new java.util.Iterator<Iterable<Class<?>>>() {
            private final Set<Class<?>> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            private List<Class<?>> next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = new ArrayList<>();
                    for (Class<?> type : loaded(instrumentation)) {
                        if (seen.add(type)) {
                            next.add(type);
                        }
                    }
                }
                return !next.isEmpty();
            }

            @Override
            public Iterable<Class<?>> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                List<Class<?>> batch = next;
                next = null;
                return batch;
            }
        };
    }

    private static boolean implementsTarget(Class<?> type) {
        for (Class<?> implemented : type.getInterfaces()) {
            if (INTERFACES.contains(implemented.getName().replace('.', '/'))) {
                return true;
            }
        }
        return false;
    }

    private static boolean extendsRoot(Class<?> type) {
        for (Class<?> c = type.getSuperclass(); c != null; c = c.getSuperclass()) {
            String internalName = c.getName().replace('.', '/');
            if (ROOTS.contains(internalName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The superclass of a class file, by internal name; {@code null} if it cannot be read here.
     */
    static String superName(byte[] b) {
        String[] supertypes = supertypes(b);
        return supertypes == null ? null : supertypes[0];
    }

    /**
     * The superclass (at index 0; {@code null} for {@code java/lang/Object}) and the directly
     * implemented interfaces of a class file, by internal name, read from its constant pool
     * without parsing the rest; {@code null} if the file cannot be read here.
     */
    static String[] supertypes(byte[] b) {
        try {
            if (b == null || b.length < 10 || u2(b, 0) != 0xCAFE || u2(b, 2) != 0xBABE) {
                return null;
            }
            int count = u2(b, 8);
            int[] offsets = new int[count];
            int p = 10;
            for (int i = 1; i < count; i++) {
                offsets[i] = p;
                switch (b[p] & 0xFF) {
                    case 1: // Utf8
                        p += 3 + u2(b, p + 1);
                        break;
                    case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                        p += 5;
                        break;
                    case 5: case 6: // Long, Double: two slots
                        p += 9;
                        i++;
                        break;
                    case 7: case 8: case 16: case 19: case 20:
                        p += 3;
                        break;
                    case 15:
                        p += 4;
                        break;
                    default:
                        return null;
                }
            }
            // after the constant pool: access_flags, this_class, super_class, interfaces_count, interfaces
            int superIndex = u2(b, p + 4);
            int interfaceCount = u2(b, p + 6);
            String[] supertypes = new String[1 + interfaceCount];
            supertypes[0] = superIndex == 0 ? null : className(b, offsets, superIndex);
            for (int i = 0; i < interfaceCount; i++) {
                supertypes[1 + i] = className(b, offsets, u2(b, p + 8 + 2 * i));
            }
            return supertypes;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The name of the {@code CONSTANT_Class} entry at {@code index}. */
    private static String className(byte[] b, int[] offsets, int index) {
        int utf8 = offsets[u2(b, offsets[index] + 1)];
        return new String(b, utf8 + 3, u2(b, utf8 + 1), StandardCharsets.UTF_8);
    }

    private static int u2(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }
}
