package dev.asynclocal.agent.internal;

import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;


import java.io.File;
import java.io.IOException;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.asm.MemberSubstitution;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * Installs the agent's transformations; runs from the bootstrap class path (see
 * {@code AsyncLocalAgent}), like every class it uses.
 *
 * <p>Every transformation only rewrites method bodies (ByteBuddy advice, and calls replaced in two
 * loops), never adds a field or a method, so classes loaded before the agent (always
 * {@code Thread}, often the concurrency classes) are retransformed in place, and the JVM accepts
 * it on every supported version. What is instrumented is {@link TargetTable}, one row per rule;
 * {@link #instrumented()} reports which classes were actually transformed in this JVM.
 */
public final class Installer {
    private static final String PREFIX = "asynclocal agent: ";

    private static volatile boolean installed;
    private static final List<String> INSTRUMENTED = Collections.synchronizedList(new ArrayList<>());
    private static final List<String> FAILED = Collections.synchronizedList(new ArrayList<>());
    private static volatile boolean verbose;

    private Installer() {
    }

    /**
     * Whether {@link #install} completed in this JVM.
     *
     * @return {@code true} once installed
     */
    public static boolean isInstalled() {
        return installed;
    }

    /**
     * The classes transformed so far, by name (JDK classes at installation, application subclasses
     * of {@code Thread} and {@code ThreadPoolExecutor} as they load).
     *
     * @return a copy of the list
     */
    public static List<String> instrumented() {
        synchronized (INSTRUMENTED) {
            return new ArrayList<>(INSTRUMENTED);
        }
    }

    /**
     * The classes that could not be transformed, with the reason.
     *
     * @return a copy of the list
     */
    public static List<String> failed() {
        synchronized (FAILED) {
            return new ArrayList<>(FAILED);
        }
    }

    /**
     * Installs the transformations, once.
     *
     * @param instrumentation the JVM's instrumentation service
     * @param options comma-separated agent options: {@code verbose} prints each transformed class;
     *     {@code threads=inherit} lets every thread inherit its starter's context for good, as
     *     before the isolation rule ({@code threads=isolate}, the default; see {@link ThreadSupport})
     * @param agentJar the agent jar, where ByteBuddy reads the advice classes from, when it was
     *     appended to the bootstrap class path at run time (the bootstrap loader does not serve
     *     such entries as resources); {@code null} when the JVM put it there from the manifest's
     *     {@code Boot-Class-Path}, and the advice is read as the bootstrap loader's resources
     * @throws IOException if the agent jar cannot be read
     */
    public static synchronized void install(Instrumentation instrumentation, String options, String agentJar)
            throws IOException {
        if (installed) {
            return;
        }
        for (String option : options.split(",")) {
            String o = option.trim();
            if (o.equals("verbose")) {
                verbose = true;
            } else if (o.equals("threads=inherit")) {
                ThreadSupport.inheritAll(true);
            } else if (o.equals("threads=isolate")) {
                ThreadSupport.inheritAll(false);
            } else if (!o.isEmpty()) {
                System.err.println(PREFIX + "unknown option '" + o + "' ignored");
            }
        }
        letJavaBaseReadTheAgent(instrumentation);
        ClassFileFilter.warmUp();
        ThreadSupport.warmUp();
        // The agent needs no Nexus (ByteBuddy's helper for type initializers it adds, which this
        // agent never does); left enabled, building the agent would inject a class into the
        // system class loader and, on Java 24+, make the JVM warn about sun.misc.Unsafe. The
        // property is read once, when ByteBuddy's Nexus support is first initialized, and its
        // name is in the relocated ByteBuddy's own namespace.
        String nexusDisabled = ByteBuddy.class.getPackageName() + ".nexus.disabled";
        boolean setHere = System.getProperty(nexusDisabled) == null;
        if (setHere) {
            System.setProperty(nexusDisabled, "true");
        }
        long start = System.nanoTime();
        try {
            // Kept open: advice is read lazily, when a class that needs it is first transformed.
            // The advice classes come from the agent jar, the JDK types they mention from the
            // bootstrap loader.
            ClassFileLocator adviceLocator = agentJar != null
                    ? new ClassFileLocator.Compound(ClassFileLocator.ForJarFile.of(new File(agentJar)),
                            ClassFileLocator.ForClassLoader.ofBootLoader())
                    : ClassFileLocator.ForClassLoader.ofBootLoader();
            AgentBuilder builder = build(adviceLocator);
            long built = System.nanoTime();
            builder.installOn(instrumentation);
            if (verbose) {
                System.err.printf("%sbuilt in %d ms, installed in %d ms%n", PREFIX,
                        (built - start) / 1_000_000, (System.nanoTime() - built) / 1_000_000);
            }
        } finally {
            if (setHere) {
                System.clearProperty(nexusDisabled);
            }
        }
        installed = true;
    }

    /**
     * The code added to {@code java.base} classes calls classes of the bootstrap loader's unnamed
     * module (this jar); a named module reads no unnamed module unless told to.
     */
    private static void letJavaBaseReadTheAgent(Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        Module agent = Installer.class.getModule();
        if (!javaBase.canRead(agent)) {
            instrumentation.redefineModule(javaBase, Set.of(agent), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }

    private static AgentBuilder build(ClassFileLocator adviceLocator) {
        // Only declared methods are advised, so ByteBuddy need not compute whole method graphs.
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED)
                        .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE))
                .disableClassFormatChanges()
                // Only visitors are applied: decorating skips ByteBuddy's type-rebuilding machinery.
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                // Types are described from their class files, never by reflection: reflection loads
                // the classes a signature mentions, and a class loaded while ByteBuddy is
                // transforming another one on the same thread is not transformed (on JDK 25,
                // describing VirtualThread that way loaded ForkJoinPool, which then stayed plain).
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                // Retransform only what is worth it (see ClassFileFilter), not every loaded class.
                .with(new AgentBuilder.RedefinitionStrategy.DiscoveryStrategy() {
                    @Override
                    public Iterable<Iterable<Class<?>>> resolve(Instrumentation instrumentation) {
                        return ClassFileFilter.loadedUntilNoneNew(instrumentation);
                    }
                })
                .with(new AgentBuilder.TransformerDecorator() {
                    @Override
                    public ResettableClassFileTransformer decorate(ResettableClassFileTransformer transformer) {
                        return new Filtering(transformer);
                    }
                })
                .with(new Listener())
                // The default ignores the bootstrap loader's classes, which are the point here.
                .ignore(new ElementMatcher.Junction.AbstractBase<TypeDescription>() {
                    @Override
                    public boolean matches(TypeDescription type) {
                        return ClassOrigin.isAgentInternal(type.getName());
                    }
                });
        Weaver weaver = new Weaver(adviceLocator);
        for (Map.Entry<TargetTable.Types, List<TargetTable.Row>> group : TargetTable.byTypes().entrySet()) {
            AgentBuilder.Identified.Narrowable types = builder.type(group.getKey().matcher());
            AgentBuilder.Identified.Extendable transformed = null;
            for (TargetTable.Row row : group.getValue()) {
                AgentBuilder.Transformer transformer = weaver.transformer(row);
                transformed = transformed == null ? types.transform(transformer) : transformed.transform(transformer);
            }
            builder = transformed;
        }
        return builder;
    }

    /**
     * Turns rows into transformers. The advice classes are described from their class files, not
     * by reflection: reflection would load every JDK class their signatures mention, and each
     * such class would then need retransforming instead of being transformed, if ever, when the
     * application first loads it. Each row's visitor is made the first time a class needs it, so
     * classes an application never loads cost nothing at start-up.
     */
    static final class Weaver {
        private final ClassFileLocator locator;
        private final TypePool types;

        /**
         * @param locator where the advice and support classes are read from, and the JDK types
         *     their signatures mention
         */
        Weaver(ClassFileLocator locator) {
            this.locator = locator;
            this.types = TypePool.Default.of(locator);
        }

        /** The transformer that weaves {@code row} into the types it matches. */
        AgentBuilder.Transformer transformer(TargetTable.Row row) {
            return new AgentBuilder.Transformer() {
                private volatile AsmVisitorWrapper visitor;

                @Override
                public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                        ClassLoader loader, JavaModule module, ProtectionDomain domain) {
                    AsmVisitorWrapper made = visitor;
                    if (made == null) {
                        made = visitor(row);
                        visitor = made;
                    }
                    return builder.visit(made);
                }
            };
        }

        /** What the row weaves into the methods it matches. */
        AsmVisitorWrapper visitor(TargetTable.Row row) {
            if (row.replacement != null) {
                // Every call of run() declared by the task type becomes a call of the static
                // replacement(task): the timer thread's task.run() becomes TimerSupport.run(task), a
                // pool worker's becomes ExecutorSupport.runOnWorker(task).
                TargetTable.CallReplacement call = row.replacement;
                MethodDescription replacement = types.describe(call.support.getName()).resolve()
                        .getDeclaredMethods().filter(named(call.method)).getOnly();
                return MemberSubstitution.strict()
                        .method(named("run").and(takesArguments(0)).and(isDeclaredBy(named(call.taskType))))
                        .replaceWith(replacement)
                        .on(row.methods);
            }
            Advice.WithCustomMapping mapping = Advice.withCustomMapping();
            if (row.captures != null) {
                mapping = mapping.bind(Resource.Type.class, row.captures.type);
                if (row.captures.ending != null) {
                    mapping = mapping.bind(Resource.Ending.class, row.captures.ending);
                }
            }
            return mapping.to(types.describe(row.advice.getName()).resolve(), locator).on(row.methods);
        }
    }

    /**
     * The transformer as registered with the JVM: passes a class to ByteBuddy only if
     * {@link ClassFileFilter#mayTransform} says it may need it, so the classes an application loads
     * cost a glance at their constant pool, not a ByteBuddy description each.
     */
    private static final class Filtering extends ResettableClassFileTransformer.WithDelegation {
        Filtering(ResettableClassFileTransformer delegate) {
            super(delegate);
        }

        @Override
        public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                byte[] classFile) throws IllegalClassFormatException {
            return ClassFileFilter.mayTransform(loader, name, classFile)
                    ? classFileTransformer.transform(loader, name, redefined, domain, classFile)
                    : null;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                ProtectionDomain domain, byte[] classFile) throws IllegalClassFormatException {
            return ClassFileFilter.mayTransform(loader, name, classFile)
                    ? classFileTransformer.transform(module, loader, name, redefined, domain, classFile)
                    : null;
        }
    }

    /** Reports what was transformed and, once per class, what could not be. */
    private static final class Listener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                DynamicType dynamicType) {
            INSTRUMENTED.add(type.getName());
            if (verbose) {
                System.err.println(PREFIX + "instrumented " + type.getName());
            }
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            FAILED.add(typeName + ": " + error);
            System.err.println(PREFIX + "could not instrument " + typeName + "; it will not propagate contexts: " + error);
        }
    }
}
