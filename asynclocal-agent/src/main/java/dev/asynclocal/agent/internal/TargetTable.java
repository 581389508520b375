package dev.asynclocal.agent.internal;

import static net.bytebuddy.matcher.ElementMatchers.hasParameters;
import static net.bytebuddy.matcher.ElementMatchers.hasType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.whereAny;

import dev.asynclocal.internal.Engine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Everything the agent instruments, one row per rule: which types, which of their methods, what
 * is woven into them (an advice class, or one call replaced), what the row captures (the resource
 * type hooks see and, for bound tasks, when it is finished), and on which JDKs the row is known to
 * match. The installer builds its transformations from these rows and nothing else, the class-file
 * filter ({@link ClassFileFilter}) lets through exactly the types they name, and
 * {@code TargetTableTest} checks every row against the JDK that runs it. {@code docs/agent.md}
 * ("Instrumented JDK methods") says the same in prose.
 *
 * <p>Every row is installed on every JDK: a row for a newer JDK matches nothing on an older one,
 * as a row for an older JDK matches nothing on a newer one. The JDK range is what the tests hold
 * the row to, not a switch: a row skipped on a JDK no test runs (18 to 24) would lose propagation
 * there without a sound. The agent options and the wrappers do not change what is woven either;
 * {@link ThreadSupport} applies {@code threads=inherit} when the woven code runs, and every support
 * class passes through what the wrappers have bound already.
 */
public final class TargetTable {
    private static final String RUNNABLE = "java.lang.Runnable";
    private static final String CALLABLE = "java.util.concurrent.Callable";
    private static final String FORK_JOIN_TASK = "java.util.concurrent.ForkJoinTask";

    // ------------------------------------------------------------------------------- the types
    private static final Types THREAD_POOL_EXECUTOR = Types.jdk("java.util.concurrent.ThreadPoolExecutor");
    private static final Types SCHEDULED_THREAD_POOL_EXECUTOR =
            Types.jdk("java.util.concurrent.ScheduledThreadPoolExecutor");
    private static final Types THREAD_POOL_EXECUTOR_SUBCLASSES =
            Types.applicationSubclassesOf("java.util.concurrent.ThreadPoolExecutor");
    private static final Types FORK_JOIN_TASKS = Types.jdk(FORK_JOIN_TASK);
    private static final Types FORK_JOIN_POOL = Types.jdk("java.util.concurrent.ForkJoinPool");
    private static final Types COMPLETABLE_FUTURE = Types.jdk("java.util.concurrent.CompletableFuture");
    /** JDK 17's fallback executors when the common pool has one thread or less: a thread per task. */
    private static final Types THREAD_PER_TASK_FALLBACKS = Types.jdk(
            "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor",
            "java.util.concurrent.SubmissionPublisher$ThreadPerTaskExecutor");
    private static final Types DELAYED_EXECUTOR = Types.jdk("java.util.concurrent.CompletableFuture$DelayedExecutor");
    private static final Types THREAD = Types.jdk("java.lang.Thread");
    private static final Types VIRTUAL_THREAD = Types.jdk("java.lang.VirtualThread");
    private static final Types THREAD_SUBCLASSES = Types.applicationSubclassesOf("java.lang.Thread");
    private static final Types THREAD_FACTORIES = Types.jdk(
            "java.util.concurrent.Executors$DefaultThreadFactory",
            "java.util.concurrent.Executors$PrivilegedThreadFactory")
            .orApplicationImplementorsOf("java.util.concurrent.ThreadFactory");
    private static final Types PLATFORM_THREAD_FACTORY = Types.jdk("java.lang.ThreadBuilders$PlatformThreadFactory");
    private static final Types BLOCKING_QUEUES = Types.jdk(
            "java.util.concurrent.LinkedBlockingQueue",
            "java.util.concurrent.ArrayBlockingQueue",
            "java.util.concurrent.LinkedBlockingDeque",
            "java.util.concurrent.PriorityBlockingQueue",
            "java.util.concurrent.DelayQueue",
            "java.util.concurrent.SynchronousQueue",
            "java.util.concurrent.LinkedTransferQueue")
            .orApplicationImplementorsOf("java.util.concurrent.BlockingQueue",
                    "java.util.concurrent.BlockingDeque", "java.util.concurrent.TransferQueue");
    private static final Types SELECTOR = Types.jdk("sun.nio.ch.SelectorImpl");
    /** The JDK's one implementation of {@code Condition}, in its two synchronizer flavours. */
    private static final Types CONDITIONS = Types.jdk(
            "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject",
            "java.util.concurrent.locks.AbstractQueuedLongSynchronizer$ConditionObject");
    private static final Types CHANNEL_GROUP = Types.jdk("sun.nio.ch.AsynchronousChannelGroupImpl");
    private static final Types ASYNCHRONOUS_CHANNELS = Types.jdk(
            "sun.nio.ch.AsynchronousSocketChannelImpl",
            "sun.nio.ch.AsynchronousServerSocketChannelImpl",
            "sun.nio.ch.AsynchronousFileChannelImpl");
    private static final Types PUBLISHER_SUBSCRIPTION =
            Types.jdk("java.util.concurrent.SubmissionPublisher$BufferedSubscription");
    private static final Types TIMER = Types.jdk("java.util.Timer");
    private static final Types TIMER_TASK = Types.jdk("java.util.TimerTask");
    private static final Types TIMER_THREAD = Types.jdk("java.util.TimerThread");

    // -------------------------------------------------------------------------------- the rows
    /** In the order the installer registers them; rows on the same {@link Types} form one group. */
    static final List<Row> ROWS = List.of(
            // executors
            advise(THREAD_POOL_EXECUTOR, named("execute").and(takes(RUNNABLE)), ExecutorAdvice.Execute.class,
                    Resource.of(Engine.EXECUTOR, Engine.FINISH_AFTER_RUN)),
            advise(THREAD_POOL_EXECUTOR, named("reject").and(takes(RUNNABLE)), ExecutorAdvice.Reject.class),
            advise(THREAD_POOL_EXECUTOR, named("remove").and(takes(RUNNABLE)), ExecutorAdvice.Remove.class),
            advise(THREAD_POOL_EXECUTOR, named("purge").and(takesArguments(0)), ExecutorAdvice.Purge.class),
            advise(THREAD_POOL_EXECUTOR, named("shutdownNow").and(takesArguments(0)), ExecutorAdvice.ShutdownNow.class),
            advise(THREAD_POOL_EXECUTOR, named("addWorker"), ExecutorAdvice.AddWorker.class),
            replaceCall(THREAD_POOL_EXECUTOR, "runWorker", RUNNABLE, ExecutorSupport.class, "runOnWorker"),
            advise(SCHEDULED_THREAD_POOL_EXECUTOR, namedOneOf("execute", "submit").and(arg(0, RUNNABLE)),
                    ExecutorAdvice.ScheduledRunnable.class, Resource.of(Engine.EXECUTOR, Engine.FINISH_AFTER_RUN)),
            advise(SCHEDULED_THREAD_POOL_EXECUTOR, named("submit").and(arg(0, CALLABLE)),
                    ExecutorAdvice.ScheduledCallable.class, Resource.of(Engine.EXECUTOR, Engine.FINISH_AFTER_RUN)),
            advise(SCHEDULED_THREAD_POOL_EXECUTOR, named("schedule").and(arg(0, RUNNABLE)),
                    ExecutorAdvice.ScheduledRunnable.class, Resource.of(Engine.SCHEDULED_TASK, Engine.FINISH_AFTER_RUN)),
            advise(SCHEDULED_THREAD_POOL_EXECUTOR, named("schedule").and(arg(0, CALLABLE)),
                    ExecutorAdvice.ScheduledCallable.class, Resource.of(Engine.SCHEDULED_TASK, Engine.FINISH_AFTER_RUN)),
            advise(SCHEDULED_THREAD_POOL_EXECUTOR, namedOneOf("scheduleAtFixedRate", "scheduleWithFixedDelay"),
                    ExecutorAdvice.ScheduledRunnable.class, Resource.of(Engine.SCHEDULED_TASK, Engine.FINISH_ON_FAILURE)),
            advise(THREAD_POOL_EXECUTOR_SUBCLASSES, named("beforeExecute").and(takes("java.lang.Thread", RUNNABLE)),
                    ExecutorAdvice.BeforeExecute.class),
            advise(THREAD_POOL_EXECUTOR_SUBCLASSES, named("afterExecute").and(takes(RUNNABLE, "java.lang.Throwable")),
                    ExecutorAdvice.AfterExecute.class),
            // fork/join
            advise(FORK_JOIN_TASKS, named("fork").and(takesArguments(0)), ForkJoinAdvice.Fork.class,
                    Resource.of(Engine.FORK_JOIN_TASK)),
            advise(FORK_JOIN_TASKS, named("doExec").and(takesArguments(0)), ForkJoinAdvice.DoExec.class),
            advise(FORK_JOIN_POOL, publicWithTaskArgument(namedOneOf("execute", "submit", "invoke")),
                    ForkJoinAdvice.SubmitTask.class, Resource.of(Engine.FORK_JOIN_TASK)),
            advise(FORK_JOIN_POOL, publicWithTaskArgument(named("lazySubmit")),
                    ForkJoinAdvice.SubmitTask.class, Resource.of(Engine.FORK_JOIN_TASK)).since(19),
            advise(FORK_JOIN_POOL, publicWithTaskArgument(named("externalSubmit")),
                    ForkJoinAdvice.SubmitTask.class, Resource.of(Engine.FORK_JOIN_TASK)).since(20),
            advise(FORK_JOIN_POOL, namedOneOf("execute", "submit").and(isPublic()).and(arg(0, RUNNABLE)),
                    ForkJoinAdvice.SubmitRunnable.class, Resource.of(Engine.FORK_JOIN_TASK, Engine.FINISH_AFTER_RUN)),
            advise(FORK_JOIN_POOL, named("submit").and(isPublic()).and(arg(0, CALLABLE)),
                    ForkJoinAdvice.SubmitCallable.class, Resource.of(Engine.FORK_JOIN_TASK, Engine.FINISH_AFTER_RUN)),
            advise(FORK_JOIN_POOL, named("submitWithTimeout").and(isPublic()).and(arg(0, CALLABLE)),
                    ForkJoinAdvice.SubmitCallable.class, Resource.of(Engine.FORK_JOIN_TASK, Engine.FINISH_AFTER_RUN))
                    .since(25),
            advise(FORK_JOIN_POOL, namedOneOf("invokeAll", "invokeAny").and(isPublic()).and(arg(0, "java.util.Collection")),
                    ForkJoinAdvice.InvokeCollection.class, Resource.of(Engine.FORK_JOIN_TASK, Engine.FINISH_AFTER_RUN)),
            advise(FORK_JOIN_POOL, named("invokeAllUninterruptibly").and(isPublic()).and(arg(0, "java.util.Collection")),
                    ForkJoinAdvice.InvokeCollection.class, Resource.of(Engine.FORK_JOIN_TASK, Engine.FINISH_AFTER_RUN))
                    .since(22),
            advise(FORK_JOIN_POOL, named("schedule").and(isPublic()).and(arg(0, RUNNABLE)),
                    ForkJoinAdvice.ScheduledRunnable.class, Resource.of(Engine.SCHEDULED_TASK, Engine.FINISH_AFTER_RUN))
                    .since(25),
            advise(FORK_JOIN_POOL, named("schedule").and(isPublic()).and(arg(0, CALLABLE)),
                    ForkJoinAdvice.SubmitCallable.class, Resource.of(Engine.SCHEDULED_TASK, Engine.FINISH_AFTER_RUN))
                    .since(25),
            advise(FORK_JOIN_POOL, namedOneOf("scheduleAtFixedRate", "scheduleWithFixedDelay").and(isPublic()),
                    ForkJoinAdvice.ScheduledRunnable.class, Resource.of(Engine.SCHEDULED_TASK, Engine.FINISH_ON_FAILURE))
                    .since(25),
            // futures: every public method taking a callback, by callback type and position
            stage("java.util.function.Function", 0, FutureAdvice.Function0.class),
            stage("java.util.function.Function", 1, FutureAdvice.Function1.class),
            stage("java.util.function.BiFunction", 0, FutureAdvice.BiFunction0.class),
            stage("java.util.function.BiFunction", 1, FutureAdvice.BiFunction1.class),
            stage("java.util.function.Consumer", 0, FutureAdvice.Consumer0.class),
            stage("java.util.function.Consumer", 1, FutureAdvice.Consumer1.class),
            stage("java.util.function.BiConsumer", 0, FutureAdvice.BiConsumer0.class),
            stage("java.util.function.BiConsumer", 1, FutureAdvice.BiConsumer1.class),
            stage(RUNNABLE, 0, FutureAdvice.Runnable0.class),
            stage(RUNNABLE, 1, FutureAdvice.Runnable1.class),
            stage("java.util.function.Supplier", 0, FutureAdvice.Supplier0.class),
            advise(COMPLETABLE_FUTURE, named("postComplete").and(takesArguments(0)), FutureAdvice.PostComplete.class),
            // a thread per task, whose task (a stage, a subscription's consumer) carries its own capture
            advise(THREAD_PER_TASK_FALLBACKS, named("execute").and(takes(RUNNABLE)), ExecutorAdvice.AddWorker.class)
                    .until(17),
            advise(DELAYED_EXECUTOR, named("execute").and(takes(RUNNABLE)), FutureAdvice.DelayedExecute.class,
                    Resource.of(Engine.SCHEDULED_TASK, Engine.FINISH_AFTER_RUN)),
            // threads
            advise(THREAD, startWithArguments(0), ThreadAdvice.Start.class, Resource.of(Engine.THREAD)),
            advise(THREAD, startWithArguments(1), ThreadAdvice.StartInContainer.class, Resource.of(Engine.THREAD))
                    .since(21),
            advise(THREAD, threadRun(), ThreadAdvice.Run.class),
            advise(VIRTUAL_THREAD, startWithArguments(0), ThreadAdvice.Start.class, Resource.of(Engine.THREAD))
                    .since(21),
            advise(VIRTUAL_THREAD, startWithArguments(1), ThreadAdvice.StartInContainer.class,
                    Resource.of(Engine.THREAD)).since(21),
            advise(VIRTUAL_THREAD, threadRun(), ThreadAdvice.Run.class).since(21),
            advise(THREAD_SUBCLASSES, named("run").and(takesArguments(0)).and(not(isStatic())), ThreadAdvice.Run.class),
            advise(THREAD_FACTORIES, newThread(), ThreadAdvice.NewThread.class),
            advise(PLATFORM_THREAD_FACTORY, newThread(), ThreadAdvice.NewThread.class).since(21),
            // waiting for work (see ThreadSupport)
            advise(BLOCKING_QUEUES, not(isAbstract()).and(namedOneOf("take", "takeFirst", "takeLast").and(takesArguments(0))
                    .or(namedOneOf("poll", "pollFirst", "pollLast").and(takes("long", "java.util.concurrent.TimeUnit")))),
                    ThreadAdvice.WaitForWork.class),
            advise(SELECTOR, named("lockAndDoSelect"), ThreadAdvice.WaitForWork.class),
            advise(CONDITIONS, isPublic().and(namedOneOf("await", "awaitNanos", "awaitUntil", "awaitUninterruptibly")),
                    ThreadAdvice.WaitOnCondition.class),
            // asynchronous I/O
            advise(CHANNEL_GROUP, named("startThreads").and(takes(RUNNABLE)), ExecutorAdvice.AddWorker.class),
            advise(ASYNCHRONOUS_CHANNELS, isPublic().and(not(isStatic()))
                    .and(hasParameters(whereAny(hasType(named("java.nio.channels.CompletionHandler"))))),
                    IoAdvice.BindHandler.class, Resource.of(Engine.COMPLETION_HANDLER)),
            advise(PUBLISHER_SUBSCRIPTION, isConstructor(), IoAdvice.Subscribed.class, Resource.of(Engine.SUBSCRIPTION)),
            advise(PUBLISHER_SUBSCRIPTION, named("consume").and(takesArguments(0)), IoAdvice.Consume.class),
            // timers
            advise(TIMER, named("sched").and(takes("java.util.TimerTask", "long", "long")), TimerAdvice.Sched.class,
                    Resource.of(Engine.TIMER_TASK)),
            advise(TIMER_TASK, named("cancel").and(takesArguments(0)), TimerAdvice.Cancel.class),
            replaceCall(TIMER_THREAD, "mainLoop", "java.util.TimerTask", TimerSupport.class, "run"));

    private TargetTable() {
    }

    /**
     * The JDK classes the rows name that exist on a JDK of the given feature version, for the
     * tests that check what was instrumented.
     *
     * @param feature a feature version, as {@code Runtime.version().feature()}
     * @return binary names, each once, in table order
     */
    public static List<String> jdkClassesOn(int feature) {
        Set<String> names = new LinkedHashSet<>();
        for (Row row : ROWS) {
            if (row.matchesOn(feature)) {
                names.addAll(row.types.jdkClasses);
            }
        }
        return new ArrayList<>(names);
    }

    /**
     * The rows that capture and apply to a JDK of the given feature version, each with the
     * resource type it makes, for the test that makes every one of them happen under a hook.
     *
     * @param feature a feature version, as {@code Runtime.version().feature()}
     * @return each row's description ({@link Row#toString}) and its resource type, in table order
     */
    public static Map<String, String> resourceTypesOn(int feature) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Row row : ROWS) {
            if (row.captures != null && row.matchesOn(feature)) {
                types.put(row.toString(), row.captures.type);
            }
        }
        return types;
    }

    /** The rows grouped by their types, in table order: one type matcher each in the agent. */
    static Map<Types, List<Row>> byTypes() {
        Map<Types, List<Row>> groups = new LinkedHashMap<>();
        for (Row row : ROWS) {
            groups.computeIfAbsent(row.types, types -> new ArrayList<>()).add(row);
        }
        return groups;
    }

    // ------------------------------------------------------------------------- building rows

    private static Row advise(Types types, ElementMatcher.Junction<MethodDescription> methods, Class<?> advice) {
        return new Row(types, methods, advice, null, null, Row.OLDEST, Row.NEWEST);
    }

    private static Row advise(Types types, ElementMatcher.Junction<MethodDescription> methods, Class<?> advice,
            Resource captures) {
        return new Row(types, methods, advice, captures, null, Row.OLDEST, Row.NEWEST);
    }

    /** In {@code loop}, every call of {@code taskType.run()} becomes a call of {@code support.method(task)}. */
    private static Row replaceCall(Types types, String loop, String taskType, Class<?> support, String method) {
        return new Row(types, named(loop), null, null, new CallReplacement(taskType, support, method),
                Row.OLDEST, Row.NEWEST);
    }

    /** A {@code CompletableFuture} method taking a callback of {@code callback}'s type as argument {@code index}. */
    private static Row stage(String callback, int index, Class<?> advice) {
        ElementMatcher.Junction<MethodDescription> methods = isPublic().and(arg(index, callback));
        if (index == 1) {
            methods = methods.and(not(arg(0, callback))); // both positions: the first one's advice binds it
        }
        return advise(COMPLETABLE_FUTURE, methods, advice, Resource.of(Engine.COMPLETABLE_FUTURE));
    }

    private static ElementMatcher.Junction<MethodDescription> publicWithTaskArgument(
            ElementMatcher.Junction<MethodDescription> names) {
        return names.and(isPublic()).and(takesArguments(1)).and(arg(0, FORK_JOIN_TASK));
    }

    private static ElementMatcher.Junction<MethodDescription> startWithArguments(int count) {
        return named("start").and(not(isStatic())).and(takesArguments(count));
    }

    /** {@code Thread.run()}, and a virtual thread's {@code run()} and private {@code run(Runnable)}. */
    private static ElementMatcher.Junction<MethodDescription> threadRun() {
        return named("run").and(not(isStatic())).and(takesArguments(0).or(takes(RUNNABLE)));
    }

    private static ElementMatcher.Junction<MethodDescription> newThread() {
        return named("newThread").and(takes(RUNNABLE)).and(not(isAbstract()));
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

    // ------------------------------------------------------------------------------ the shapes

    /**
     * One rule: the methods of some types, and what is woven into them.
     */
    static final class Row {
        /** The oldest and newest JDKs the project supports and tests on. */
        static final int OLDEST = 17;
        static final int NEWEST = Integer.MAX_VALUE;

        final Types types;
        final ElementMatcher.Junction<MethodDescription> methods;
        /** The advice woven into the methods, or {@code null} for a {@link #replacement}. */
        final Class<?> advice;
        /** What the advice captures, or {@code null} if it captures nothing. */
        final Resource captures;
        /** The call replaced in the methods, or {@code null} for an {@link #advice}. */
        final CallReplacement replacement;
        /** The feature versions on which every type the row names has a method it matches. */
        final int since;
        final int until;

        private Row(Types types, ElementMatcher.Junction<MethodDescription> methods, Class<?> advice,
                Resource captures, CallReplacement replacement, int since, int until) {
            this.types = types;
            this.methods = methods;
            this.advice = advice;
            this.captures = captures;
            this.replacement = replacement;
            this.since = since;
            this.until = until;
        }

        /** The same row, for methods the JDK added in {@code feature}. */
        Row since(int feature) {
            return new Row(types, methods, advice, captures, replacement, feature, until);
        }

        /** The same row, for methods the JDK no longer has after {@code feature} (gone by 25). */
        Row until(int feature) {
            return new Row(types, methods, advice, captures, replacement, since, feature);
        }

        boolean matchesOn(int feature) {
            return feature >= since && feature <= until;
        }

        /** The types, what is woven and what it captures; the methods are {@link #methods}. */
        @Override
        public String toString() {
            String woven = advice != null ? advice.getName().substring(advice.getPackageName().length() + 1)
                    : "calls of run() replaced by " + replacement;
            String jdks = since == OLDEST && until == NEWEST ? ""
                    : " (JDK " + since + (until == NEWEST ? "+" : "-" + until) + ")";
            return types + ": " + woven + (captures == null ? "" : " [" + captures + "]") + jdks;
        }
    }

    /** A call of {@code taskType.run()} replaced by the static {@code support.method(task)}. */
    static final class CallReplacement {
        final String taskType;
        final Class<?> support;
        final String method;

        CallReplacement(String taskType, Class<?> support, String method) {
            this.taskType = taskType;
            this.support = support;
            this.method = method;
        }

        @Override
        public String toString() {
            return support.getSimpleName() + "." + method + "(" + taskType + ")";
        }
    }

    /**
     * Which types a row transforms: JDK classes by name, and application classes (never the JDK's,
     * see {@link ClassOrigin}) by what they extend or directly implement.
     */
    static final class Types {
        /** Binary names, in the table's order (so that rows read and print the same in every JVM). */
        final List<String> jdkClasses;
        /** A JDK class whose application subclasses, at any depth, are matched; or {@code null}. */
        final String applicationSubclassesOf;
        /**
         * JDK interfaces whose application implementations are matched when they name one in their
         * own {@code implements} clause. Their subclasses inherit the instrumented methods; an
         * override that does not call up to them is rare enough not to read every hierarchy for.
         */
        final List<String> applicationImplementorsOf;
        private ElementMatcher.Junction<TypeDescription> matcher;

        private Types(List<String> jdkClasses, String applicationSubclassesOf, List<String> applicationImplementorsOf) {
            this.jdkClasses = jdkClasses;
            this.applicationSubclassesOf = applicationSubclassesOf;
            this.applicationImplementorsOf = applicationImplementorsOf;
        }

        static Types jdk(String... names) {
            return new Types(List.of(names), null, List.of());
        }

        static Types applicationSubclassesOf(String jdkClass) {
            return new Types(List.of(), jdkClass, List.of());
        }

        Types orApplicationImplementorsOf(String... interfaces) {
            return new Types(jdkClasses, applicationSubclassesOf, List.of(interfaces));
        }

        /** The ByteBuddy matcher for these types. */
        synchronized ElementMatcher.Junction<TypeDescription> matcher() {
            if (matcher == null) {
                ElementMatcher.Junction<TypeDescription> m = namedOneOf(jdkClasses.toArray(new String[0]));
                if (applicationSubclassesOf != null) {
                    m = m.or(new ApplicationSubclassOf(applicationSubclassesOf));
                }
                if (!applicationImplementorsOf.isEmpty()) {
                    m = m.or(new ApplicationImplementorOf(applicationImplementorsOf));
                }
                matcher = m;
            }
            return matcher;
        }

        @Override
        public String toString() {
            List<String> parts = new ArrayList<>(jdkClasses);
            if (applicationSubclassesOf != null) {
                parts.add("application subclasses of " + applicationSubclassesOf);
            }
            if (!applicationImplementorsOf.isEmpty()) {
                parts.add("application implementations of " + String.join(", ", applicationImplementorsOf));
            }
            return String.join(" | ", parts);
        }
    }

    /**
     * Application classes whose superclass chain reaches the given JDK class. Reads the chain
     * lazily: the usual class, which extends {@code Object} or a JDK class, costs one name
     * comparison per level without loading or parsing anything.
     */
    private static final class ApplicationSubclassOf extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
        private final String superName;

        ApplicationSubclassOf(String superName) {
            this.superName = superName;
        }

        @Override
        public boolean matches(TypeDescription target) {
            if (ClassOrigin.isJdk(target.getName()) || target.isInterface()) {
                return false;
            }
            try {
                for (TypeDefinition type = target.getSuperClass(); type != null; type = type.getSuperClass()) {
                    String name = type.asErasure().getName();
                    if (name.equals(superName)) {
                        return true;
                    }
                    if (name.equals("java.lang.Object")) {
                        return false;
                    }
                }
            } catch (RuntimeException unresolvable) {
                // A supertype missing from the class path (an optional dependency of a library):
                // such a class is no subclass of a JDK target that anything could run.
            }
            return false;
        }
    }

    /** Application classes that name one of the given interfaces in their own {@code implements} clause. */
    private static final class ApplicationImplementorOf extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
        private final Set<String> interfaceNames;

        ApplicationImplementorOf(List<String> interfaceNames) {
            this.interfaceNames = Set.copyOf(interfaceNames);
        }

        @Override
        public boolean matches(TypeDescription target) {
            if (ClassOrigin.isJdk(target.getName()) || target.isInterface()) {
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
}
