package dev.asynclocal.agent.internal;

import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimerTask;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinTask;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
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
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
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
     * @param options comma-separated agent options; {@code verbose} prints each transformed class
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
            } else if (!o.isEmpty()) {
                System.err.println(PREFIX + "unknown option '" + o + "' ignored");
            }
        }
        letJavaBaseReadTheAgent(instrumentation);
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
        try (ClassFileLocator adviceLocator = agentJar != null
                ? ClassFileLocator.ForJarFile.of(new File(agentJar))
                : ClassFileLocator.ForClassLoader.ofBootLoader()) {
            build(adviceLocator).installOn(instrumentation);
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
        return new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(new Listener())
                // The default ignores the bootstrap loader's classes, which are the point here.
                .ignore(nameStartsWithAny("dev.asynclocal.agent.internal.", "dev.asynclocal.agent.shaded.",
                        "dev.asynclocal.internal."))
                // ---------------------------------------------------------------- executors
                .type(named("java.util.concurrent.ThreadPoolExecutor"))
                .transform(advice(adviceLocator, ExecutorAdvice.Execute.class,
                        named("execute").and(takesArguments(Runnable.class))))
                .transform(advice(adviceLocator, ExecutorAdvice.Reject.class,
                        named("reject").and(takesArguments(Runnable.class))))
                .transform(advice(adviceLocator, ExecutorAdvice.Remove.class,
                        named("remove").and(takesArguments(Runnable.class))))
                .transform(advice(adviceLocator, ExecutorAdvice.Purge.class, named("purge").and(takesArguments(0))))
                .transform(advice(adviceLocator, ExecutorAdvice.ShutdownNow.class,
                        named("shutdownNow").and(takesArguments(0))))
                .transform(advice(adviceLocator, ExecutorAdvice.AddWorker.class, named("addWorker")))
                .type(named("java.util.concurrent.ScheduledThreadPoolExecutor"))
                .transform(advice(adviceLocator, ExecutorAdvice.ScheduledExecute.class,
                        namedOneOf("execute", "submit").and(takesArgument(0, Runnable.class))))
                .transform(advice(adviceLocator, ExecutorAdvice.ScheduledSubmitCallable.class,
                        named("submit").and(takesArgument(0, Callable.class))))
                .transform(advice(adviceLocator, ExecutorAdvice.Schedule.class,
                        named("schedule").and(takesArgument(0, Runnable.class))))
                .transform(advice(adviceLocator, ExecutorAdvice.ScheduleCallable.class,
                        named("schedule").and(takesArgument(0, Callable.class))))
                .transform(advice(adviceLocator, ExecutorAdvice.SchedulePeriodic.class,
                        namedOneOf("scheduleAtFixedRate", "scheduleWithFixedDelay")))
                .type(new ApplicationSubclassOf("java.util.concurrent.ThreadPoolExecutor"))
                .transform(advice(adviceLocator, ExecutorAdvice.BeforeExecute.class,
                        named("beforeExecute").and(takesArguments(Thread.class, Runnable.class))))
                .transform(advice(adviceLocator, ExecutorAdvice.AfterExecute.class,
                        named("afterExecute").and(takesArguments(Runnable.class, Throwable.class))))
                // ---------------------------------------------------------------- fork/join
                .type(named("java.util.concurrent.ForkJoinTask"))
                .transform(advice(adviceLocator, ForkJoinAdvice.Fork.class, named("fork").and(takesArguments(0))))
                .transform(advice(adviceLocator, ForkJoinAdvice.DoExec.class, named("doExec").and(takesArguments(0))))
                .type(named("java.util.concurrent.ForkJoinPool"))
                .transform(advice(adviceLocator, ForkJoinAdvice.SubmitTask.class,
                        namedOneOf("execute", "submit", "invoke", "externalSubmit", "lazySubmit")
                                .and(isPublic()).and(takesArguments(1)).and(takesArgument(0, ForkJoinTask.class))))
                .transform(advice(adviceLocator, ForkJoinAdvice.SubmitRunnable.class,
                        namedOneOf("execute", "submit").and(isPublic()).and(takesArgument(0, Runnable.class))))
                .transform(advice(adviceLocator, ForkJoinAdvice.SubmitCallable.class,
                        namedOneOf("submit", "submitWithTimeout").and(isPublic()).and(takesArgument(0, Callable.class))))
                .transform(advice(adviceLocator, ForkJoinAdvice.InvokeCollection.class,
                        namedOneOf("invokeAll", "invokeAny", "invokeAllUninterruptibly")
                                .and(isPublic()).and(takesArgument(0, Collection.class))))
                .transform(advice(adviceLocator, ForkJoinAdvice.Schedule.class,
                        named("schedule").and(isPublic()).and(takesArgument(0, Runnable.class))))
                .transform(advice(adviceLocator, ForkJoinAdvice.ScheduleCallable.class,
                        named("schedule").and(isPublic()).and(takesArgument(0, Callable.class))))
                .transform(advice(adviceLocator, ForkJoinAdvice.SchedulePeriodic.class,
                        namedOneOf("scheduleAtFixedRate", "scheduleWithFixedDelay").and(isPublic())))
                // ---------------------------------------------------------------- futures
                .type(named("java.util.concurrent.CompletableFuture"))
                .transform(stageAdvice(adviceLocator, Function.class, FutureAdvice.Function0.class, FutureAdvice.Function1.class))
                .transform(stageAdvice(adviceLocator, BiFunction.class, FutureAdvice.BiFunction0.class, FutureAdvice.BiFunction1.class))
                .transform(stageAdvice(adviceLocator, Consumer.class, FutureAdvice.Consumer0.class, FutureAdvice.Consumer1.class))
                .transform(stageAdvice(adviceLocator, BiConsumer.class, FutureAdvice.BiConsumer0.class, FutureAdvice.BiConsumer1.class))
                .transform(stageAdvice(adviceLocator, Runnable.class, FutureAdvice.Runnable0.class, FutureAdvice.Runnable1.class))
                .transform(stageAdvice(adviceLocator, Supplier.class, FutureAdvice.Supplier0.class, null))
                .transform(advice(adviceLocator, FutureAdvice.PostComplete.class,
                        named("postComplete").and(takesArguments(0))))
                .type(named("java.util.concurrent.CompletableFuture$DelayedExecutor"))
                .transform(advice(adviceLocator, FutureAdvice.DelayedExecute.class,
                        named("execute").and(takesArguments(Runnable.class))))
                // ---------------------------------------------------------------- threads
                .type(namedOneOf("java.lang.Thread", "java.lang.VirtualThread"))
                .transform(advice(adviceLocator, ThreadAdvice.Start.class,
                        named("start").and(not(isStatic())).and(takesArguments(0).or(takesArguments(1)))))
                .transform(advice(adviceLocator, ThreadAdvice.Run.class,
                        named("run").and(not(isStatic()))
                                .and(takesArguments(0).or(takesArguments(Runnable.class)))))
                .type(new ApplicationSubclassOf("java.lang.Thread"))
                .transform(advice(adviceLocator, ThreadAdvice.Run.class,
                        named("run").and(takesArguments(0)).and(not(isStatic()))))
                // ---------------------------------------------------------------- timers
                .type(named("java.util.Timer"))
                .transform(advice(adviceLocator, TimerAdvice.Sched.class,
                        named("sched").and(takesArguments(TimerTask.class, long.class, long.class))))
                .type(named("java.util.TimerTask"))
                .transform(advice(adviceLocator, TimerAdvice.Cancel.class, named("cancel").and(takesArguments(0))))
                .type(named("java.util.TimerThread"))
                .transform(new AgentBuilder.Transformer() {
                    @Override
                    public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                            ClassLoader loader, JavaModule module, ProtectionDomain domain) {
                        return builder.visit(timerLoop());
                    }
                });
    }

    /** In the timer thread's loop, {@code task.run()} becomes {@code TimerSupport.run(task)}. */
    private static AsmVisitorWrapper timerLoop() {
        try {
            return MemberSubstitution.strict()
                    .method(named("run").and(takesArguments(0))
                            .and(isDeclaredBy(named("java.util.TimerTask"))))
                    .replaceWith(TimerSupport.class.getMethod("run", TimerTask.class))
                    .on(named("mainLoop"));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AgentBuilder.Transformer advice(ClassFileLocator locator, Class<?> advice,
            ElementMatcher<? super MethodDescription> methods) {
        Advice woven = Advice.to(TypeDescription.ForLoadedType.of(advice), locator);
        return new AgentBuilder.Transformer() {
            @Override
            public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                    ClassLoader loader, JavaModule module, ProtectionDomain domain) {
                return builder.visit(woven.on(methods));
            }
        };
    }

    /** The stage methods taking a callback of {@code callback}'s type as first or second argument. */
    private static AgentBuilder.Transformer stageAdvice(ClassFileLocator locator, Class<?> callback,
            Class<?> first, Class<?> second) {
        AgentBuilder.Transformer atFirst = advice(locator, first, isPublic().and(takesArgument(0, callback)));
        if (second == null) {
            return atFirst;
        }
        AgentBuilder.Transformer atSecond = advice(locator, second, isPublic().and(takesArgument(1, callback))
                .and(not(takesArgument(0, callback))));
        return new AgentBuilder.Transformer() {
            @Override
            public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                    ClassLoader loader, JavaModule module, ProtectionDomain domain) {
                return atSecond.transform(atFirst.transform(builder, type, loader, module, domain),
                        type, loader, module, domain);
            }
        };
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
