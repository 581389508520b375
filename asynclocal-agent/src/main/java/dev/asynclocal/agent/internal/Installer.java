package dev.asynclocal.agent.internal;

import static net.bytebuddy.matcher.ElementMatchers.hasParameters;
import static net.bytebuddy.matcher.ElementMatchers.hasType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.whereAny;

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
import net.bytebuddy.description.type.TypeDefinition;
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
 * <p>Every transformation only rewrites method bodies (ByteBuddy advice and one call
 * substitution), never adds a field or a method, so classes loaded before the agent (always
 * {@code Thread}, often the concurrency classes) are retransformed in place, and the JVM accepts
 * it on every supported version. The list of instrumented methods is in {@code docs/agent.md};
 * {@link #instrumented()} reports what was actually instrumented in this JVM.
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
        Targets.warmUp();
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
        Adviser adviser = new Adviser(adviceLocator);
        // Only declared methods are advised, so ByteBuddy need not compute whole method graphs.
        return new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED)
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
                // Retransform only what is worth it (see Targets), not every loaded class.
                .with(new AgentBuilder.RedefinitionStrategy.DiscoveryStrategy() {
                    @Override
                    public Iterable<Iterable<Class<?>>> resolve(Instrumentation instrumentation) {
                        return Targets.loadedUntilNoneNew(instrumentation);
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
                .ignore(nameStartsWithAny("dev.asynclocal.agent.internal.", "dev.asynclocal.agent.shaded.",
                        "dev.asynclocal.internal."))
                // ---------------------------------------------------------------- executors
                .type(named("java.util.concurrent.ThreadPoolExecutor"))
                .transform(adviser.advice(ExecutorAdvice.Execute.class,
                        named("execute").and(takes("java.lang.Runnable"))))
                .transform(adviser.advice(ExecutorAdvice.Reject.class,
                        named("reject").and(takes("java.lang.Runnable"))))
                .transform(adviser.advice(ExecutorAdvice.Remove.class,
                        named("remove").and(takes("java.lang.Runnable"))))
                .transform(adviser.advice(ExecutorAdvice.Purge.class, named("purge").and(takesArguments(0))))
                .transform(adviser.advice(ExecutorAdvice.ShutdownNow.class,
                        named("shutdownNow").and(takesArguments(0))))
                .transform(adviser.advice(ExecutorAdvice.AddWorker.class, named("addWorker")))
                .transform(substitution(() -> loopCall(adviser.describe(ExecutorSupport.class).getDeclaredMethods()
                        .filter(named("runOnWorker")).getOnly(), "java.lang.Runnable", "runWorker")))
                .type(named("java.util.concurrent.ScheduledThreadPoolExecutor"))
                .transform(adviser.advice(ExecutorAdvice.ScheduledExecute.class,
                        namedOneOf("execute", "submit").and(arg(0, "java.lang.Runnable"))))
                .transform(adviser.advice(ExecutorAdvice.ScheduledSubmitCallable.class,
                        named("submit").and(arg(0, "java.util.concurrent.Callable"))))
                .transform(adviser.advice(ExecutorAdvice.Schedule.class,
                        named("schedule").and(arg(0, "java.lang.Runnable"))))
                .transform(adviser.advice(ExecutorAdvice.ScheduleCallable.class,
                        named("schedule").and(arg(0, "java.util.concurrent.Callable"))))
                .transform(adviser.advice(ExecutorAdvice.SchedulePeriodic.class,
                        namedOneOf("scheduleAtFixedRate", "scheduleWithFixedDelay")))
                .type(new ApplicationSubclassOf("java.util.concurrent.ThreadPoolExecutor"))
                .transform(adviser.advice(ExecutorAdvice.BeforeExecute.class,
                        named("beforeExecute").and(takes("java.lang.Thread", "java.lang.Runnable"))))
                .transform(adviser.advice(ExecutorAdvice.AfterExecute.class,
                        named("afterExecute").and(takes("java.lang.Runnable", "java.lang.Throwable"))))
                // ---------------------------------------------------------------- fork/join
                .type(named("java.util.concurrent.ForkJoinTask"))
                .transform(adviser.advice(ForkJoinAdvice.Fork.class, named("fork").and(takesArguments(0))))
                .transform(adviser.advice(ForkJoinAdvice.DoExec.class, named("doExec").and(takesArguments(0))))
                .type(named("java.util.concurrent.ForkJoinPool"))
                .transform(adviser.advice(ForkJoinAdvice.SubmitTask.class,
                        namedOneOf("execute", "submit", "invoke", "externalSubmit", "lazySubmit")
                                .and(isPublic()).and(takesArguments(1)).and(arg(0, "java.util.concurrent.ForkJoinTask"))))
                .transform(adviser.advice(ForkJoinAdvice.SubmitRunnable.class,
                        namedOneOf("execute", "submit").and(isPublic()).and(arg(0, "java.lang.Runnable"))))
                .transform(adviser.advice(ForkJoinAdvice.SubmitCallable.class,
                        namedOneOf("submit", "submitWithTimeout").and(isPublic()).and(arg(0, "java.util.concurrent.Callable"))))
                .transform(adviser.advice(ForkJoinAdvice.InvokeCollection.class,
                        namedOneOf("invokeAll", "invokeAny", "invokeAllUninterruptibly")
                                .and(isPublic()).and(arg(0, "java.util.Collection"))))
                .transform(adviser.advice(ForkJoinAdvice.Schedule.class,
                        named("schedule").and(isPublic()).and(arg(0, "java.lang.Runnable"))))
                .transform(adviser.advice(ForkJoinAdvice.ScheduleCallable.class,
                        named("schedule").and(isPublic()).and(arg(0, "java.util.concurrent.Callable"))))
                .transform(adviser.advice(ForkJoinAdvice.SchedulePeriodic.class,
                        namedOneOf("scheduleAtFixedRate", "scheduleWithFixedDelay").and(isPublic())))
                // ---------------------------------------------------------------- futures
                .type(named("java.util.concurrent.CompletableFuture"))
                .transform(stageAdvice(adviser, "java.util.function.Function", FutureAdvice.Function0.class, FutureAdvice.Function1.class))
                .transform(stageAdvice(adviser, "java.util.function.BiFunction", FutureAdvice.BiFunction0.class, FutureAdvice.BiFunction1.class))
                .transform(stageAdvice(adviser, "java.util.function.Consumer", FutureAdvice.Consumer0.class, FutureAdvice.Consumer1.class))
                .transform(stageAdvice(adviser, "java.util.function.BiConsumer", FutureAdvice.BiConsumer0.class, FutureAdvice.BiConsumer1.class))
                .transform(stageAdvice(adviser, "java.lang.Runnable", FutureAdvice.Runnable0.class, FutureAdvice.Runnable1.class))
                .transform(stageAdvice(adviser, "java.util.function.Supplier", FutureAdvice.Supplier0.class, null))
                .transform(adviser.advice(FutureAdvice.PostComplete.class,
                        named("postComplete").and(takesArguments(0))))
                // JDK 17's fallback executors when the common pool has one thread or less: a thread
                // per task whose task (a stage, a subscription's consumer) carries its own context
                .type(namedOneOf("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor",
                        "java.util.concurrent.SubmissionPublisher$ThreadPerTaskExecutor"))
                .transform(adviser.advice(ExecutorAdvice.AddWorker.class,
                        named("execute").and(takes("java.lang.Runnable"))))
                .type(named("java.util.concurrent.CompletableFuture$DelayedExecutor"))
                .transform(adviser.advice(FutureAdvice.DelayedExecute.class,
                        named("execute").and(takes("java.lang.Runnable"))))
                // ---------------------------------------------------------------- threads
                .type(namedOneOf("java.lang.Thread", "java.lang.VirtualThread"))
                .transform(adviser.advice(ThreadAdvice.Start.class,
                        named("start").and(not(isStatic())).and(takesArguments(0))))
                .transform(adviser.advice(ThreadAdvice.StartInContainer.class,
                        named("start").and(not(isStatic())).and(takesArguments(1))))
                .transform(adviser.advice(ThreadAdvice.Run.class,
                        named("run").and(not(isStatic()))
                                .and(takesArguments(0).or(takes("java.lang.Runnable")))))
                .type(new ApplicationSubclassOf("java.lang.Thread"))
                .transform(adviser.advice(ThreadAdvice.Run.class,
                        named("run").and(takesArguments(0)).and(not(isStatic()))))
                .type(named("java.util.concurrent.Executors$DefaultThreadFactory")
                        .or(named("java.util.concurrent.Executors$PrivilegedThreadFactory"))
                        .or(named("java.lang.ThreadBuilders$PlatformThreadFactory"))
                        .or(new ApplicationImplementorOf(Targets.THREAD_FACTORY)))
                .transform(adviser.advice(ThreadAdvice.NewThread.class,
                        named("newThread").and(takes("java.lang.Runnable")).and(not(isAbstract()))))
                // ------------------------------------------------- waiting for work (see ThreadSupport)
                .type(namedOneOf(Targets.JDK_BLOCKING_QUEUES.toArray(new String[0]))
                        .or(new ApplicationImplementorOf(Targets.BLOCKING_QUEUES)))
                .transform(adviser.advice(ThreadAdvice.WaitForWork.class, not(isAbstract()).and(
                        namedOneOf("take", "takeFirst", "takeLast").and(takesArguments(0))
                                .or(namedOneOf("poll", "pollFirst", "pollLast")
                                        .and(takes("long", "java.util.concurrent.TimeUnit"))))))
                .type(named("sun.nio.ch.SelectorImpl"))
                .transform(adviser.advice(ThreadAdvice.WaitForWork.class, named("lockAndDoSelect")))
                // ---------------------------------------------------------------- asynchronous I/O
                .type(named("sun.nio.ch.AsynchronousChannelGroupImpl"))
                .transform(adviser.advice(ExecutorAdvice.AddWorker.class,
                        named("startThreads").and(takes("java.lang.Runnable"))))
                .type(namedOneOf("sun.nio.ch.AsynchronousSocketChannelImpl",
                        "sun.nio.ch.AsynchronousServerSocketChannelImpl", "sun.nio.ch.AsynchronousFileChannelImpl"))
                .transform(adviser.advice(IoAdvice.BindHandler.class, isPublic().and(not(isStatic()))
                        .and(hasParameters(whereAny(hasType(named("java.nio.channels.CompletionHandler")))))))
                .type(named("java.util.concurrent.SubmissionPublisher$BufferedSubscription"))
                .transform(adviser.advice(IoAdvice.Subscribed.class, isConstructor()))
                .transform(adviser.advice(IoAdvice.Consume.class, named("consume").and(takesArguments(0))))
                // ---------------------------------------------------------------- timers
                .type(named("java.util.Timer"))
                .transform(adviser.advice(TimerAdvice.Sched.class,
                        named("sched").and(takes("java.util.TimerTask", "long", "long"))))
                .type(named("java.util.TimerTask"))
                .transform(adviser.advice(TimerAdvice.Cancel.class, named("cancel").and(takesArguments(0))))
                .type(named("java.util.TimerThread"))
                .transform(substitution(() -> loopCall(adviser.describe(TimerSupport.class).getDeclaredMethods()
                        .filter(named("run")).getOnly(), "java.util.TimerTask", "mainLoop")));
    }

    /** A transformer applying the visitor {@code make} builds, built once, on first use. */
    private static AgentBuilder.Transformer substitution(java.util.function.Supplier<AsmVisitorWrapper> make) {
        return new AgentBuilder.Transformer() {
            private volatile AsmVisitorWrapper visitor;

            @Override
            public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                    ClassLoader loader, JavaModule module, ProtectionDomain domain) {
                AsmVisitorWrapper made = visitor;
                if (made == null) {
                    made = make.get();
                    visitor = made;
                }
                return builder.visit(made);
            }
        };
    }

    /**
     * In the method {@code loop}, every call of {@code run()} declared by {@code taskType} becomes a
     * call of the static {@code replacement(task)}: the timer thread's {@code task.run()} becomes
     * {@code TimerSupport.run(task)}, a pool worker's becomes {@code ExecutorSupport.runOnWorker(task)}.
     */
    private static AsmVisitorWrapper loopCall(MethodDescription replacement, String taskType, String loop) {
        return MemberSubstitution.strict()
                .method(named("run").and(takesArguments(0)).and(isDeclaredBy(named(taskType))))
                .replaceWith(replacement)
                .on(named(loop));
    }

    /**
     * Makes advice transformers. The advice classes are described from their class files, not
     * by reflection: reflection would load every JDK class their signatures mention, and each
     * such class would then need retransforming instead of being transformed, if ever, when
     * the application first loads it.
     */
    private static final class Adviser {
        private final ClassFileLocator locator;
        private final TypePool types;

        Adviser(ClassFileLocator locator) {
            this.locator = locator;
            this.types = TypePool.Default.of(locator);
        }

        TypeDescription describe(Class<?> type) {
            return types.describe(type.getName()).resolve();
        }

        /**
         * A transformer applying {@code advice} to {@code methods}; the advice is read the first
         * time a class needs it, so classes an application never loads cost nothing at start-up.
         */
        AgentBuilder.Transformer advice(Class<?> advice, ElementMatcher<? super MethodDescription> methods) {
            String name = advice.getName();
            return new AgentBuilder.Transformer() {
                private volatile AsmVisitorWrapper woven;

                @Override
                public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                        ClassLoader loader, JavaModule module, ProtectionDomain domain) {
                    AsmVisitorWrapper visitor = woven;
                    if (visitor == null) {
                        visitor = Advice.to(types.describe(name).resolve(), locator).on(methods);
                        woven = visitor;
                    }
                    return builder.visit(visitor);
                }
            };
        }
    }

    /** The stage methods taking a callback of the given type as first or second argument. */
    private static AgentBuilder.Transformer stageAdvice(Adviser adviser, String callback, Class<?> first, Class<?> second) {
        AgentBuilder.Transformer atFirst = adviser.advice(first, isPublic().and(arg(0, callback)));
        if (second == null) {
            return atFirst;
        }
        AgentBuilder.Transformer atSecond = adviser.advice(second, isPublic().and(arg(1, callback))
                .and(not(arg(0, callback))));
        return new AgentBuilder.Transformer() {
            @Override
            public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                    ClassLoader loader, JavaModule module, ProtectionDomain domain) {
                return atSecond.transform(atFirst.transform(builder, type, loader, module, domain),
                        type, loader, module, domain);
            }
        };
    }

    /** Methods whose parameter {@code index} has the type named {@code type}. */
    private static ElementMatcher.Junction<MethodDescription> arg(int index, String type) {
        return takesArgument(index, named(type));
    }

    /** Methods whose parameters have exactly the types named. */
    private static ElementMatcher.Junction<MethodDescription> takes(String... types) {
        ElementMatcher.Junction<MethodDescription> matcher = takesArguments(types.length);
        for (int i = 0; i < types.length; i++) {
            matcher = matcher.and(arg(i, types[i]));
        }
        return matcher;
    }

    private static ElementMatcher.Junction<TypeDescription> nameStartsWithAny(String... prefixes) {
        return new ElementMatcher.Junction.AbstractBase<TypeDescription>() {
            @Override
            public boolean matches(TypeDescription target) {
                String name = target.getName();
                for (String prefix : prefixes) {
                    if (name.startsWith(prefix)) {
                        return true;
                    }
                }
                return false;
            }
        };
    }

    /**
     * Application classes (not the JDK's) whose superclass chain reaches the given class. Reads
     * the chain lazily: the usual class, which extends {@code Object} or a JDK class, costs one
     * name comparison per level without loading or parsing anything.
     */
    private static final class ApplicationSubclassOf extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
        private final String superName;

        ApplicationSubclassOf(String superName) {
            this.superName = superName;
        }

        @Override
        public boolean matches(TypeDescription target) {
            try {
                return subclass(target);
            } catch (RuntimeException unresolvable) {
                // A supertype missing from the class path (an optional dependency of a library):
                // such a class is no subclass of a JDK target that anything could run.
                return false;
            }
        }

        private boolean subclass(TypeDescription target) {
            if (isJdk(target.getName()) || target.isInterface()) {
                return false;
            }
            TypeDefinition type = target.getSuperClass();
            while (type != null) {
                String name = type.asErasure().getName();
                if (name.equals(superName)) {
                    return true;
                }
                if (name.equals("java.lang.Object")) {
                    return false;
                }
                type = type.getSuperClass();
            }
            return false;
        }

        private static boolean isJdk(String name) {
            return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                    || name.startsWith("sun.") || name.startsWith("com.sun.");
        }
    }

    /**
     * Application classes (not the JDK's) that name one of the given interfaces in their own
     * {@code implements} clause. Subclasses of such a class are not matched: they inherit its
     * instrumented methods, and an override that does not call up to them is rare enough not to
     * be worth reading every class hierarchy for (the class-file filter of {@link Targets} looks at
     * direct interfaces only, for the same reason).
     */
    private static final class ApplicationImplementorOf extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
        private final Set<String> interfaceNames;

        ApplicationImplementorOf(Set<String> internalNames) {
            Set<String> names = new java.util.HashSet<>();
            for (String internalName : internalNames) {
                names.add(internalName.replace('/', '.'));
            }
            this.interfaceNames = names;
        }

        @Override
        public boolean matches(TypeDescription target) {
            if (ApplicationSubclassOf.isJdk(target.getName()) || target.isInterface()) {
                return false;
            }
            try {
                for (TypeDescription.Generic implemented : target.getInterfaces()) {
                    if (interfaceNames.contains(implemented.asErasure().getName())) {
                        return true;
                    }
                }
            } catch (RuntimeException unresolvable) {
                // as in ApplicationSubclassOf
            }
            return false;
        }
    }

    /**
     * The transformer as registered with the JVM: passes a class to ByteBuddy only if
     * {@link Targets#mayTransform} says it may need it, so the classes an application loads cost
     * a glance at their constant pool, not a ByteBuddy description each.
     */
    private static final class Filtering extends ResettableClassFileTransformer.WithDelegation {
        Filtering(ResettableClassFileTransformer delegate) {
            super(delegate);
        }

        @Override
        public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                byte[] classFile) throws IllegalClassFormatException {
            return Targets.mayTransform(loader, name, classFile)
                    ? classFileTransformer.transform(loader, name, redefined, domain, classFile)
                    : null;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                ProtectionDomain domain, byte[] classFile) throws IllegalClassFormatException {
            return Targets.mayTransform(loader, name, classFile)
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
