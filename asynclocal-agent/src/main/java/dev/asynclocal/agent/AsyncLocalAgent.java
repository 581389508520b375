package dev.asynclocal.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * The asynclocal Java agent: makes code that was not written for asynclocal propagate contexts
 * across the JDK's asynchronous boundaries, as {@code AsyncExecutors} and
 * {@code AsyncCompletableFuture} do for code that uses them.
 *
 * <p>Two ways to turn it on:
 * <pre>{@code
 * java -javaagent:asynclocal-agent.jar -jar app.jar      // before anything runs
 *
 * public static void main(String[] args) {                // or first thing in main
 *     AsyncLocalAgent.install();
 *     ...
 * }
 * }</pre>
 *
 * <p>Once installed, every task given to a {@code ThreadPoolExecutor} (so every executor from
 * {@code Executors}), a {@code ScheduledThreadPoolExecutor} (each run of a periodic task too) or
 * a {@code ForkJoinPool} (the common pool, parallel streams, {@code fork()}), every dependent
 * stage of a {@code CompletableFuture}, every thread started with {@code Thread.start} (platform
 * or virtual) and every {@code java.util.TimerTask} runs in the context that was current when it
 * was submitted, registered, started or scheduled, and the thread that runs it gets its own
 * context back afterwards. A pool's worker threads never keep a context of their own. The project's
 * {@code docs/agent.md} lists every instrumented method and what the agent cannot reach.
 *
 * <p><b>How the classes are shared.</b> Instrumented JDK classes are loaded by the bootstrap class
 * loader, so the code the agent adds to them can only see classes the bootstrap loader can find.
 * The agent jar, which carries asynclocal-core, is therefore on the bootstrap class path: its
 * manifest names itself in {@code Boot-Class-Path} (so the JVM appends it before the agent
 * starts, as with {@code -Xbootclasspath/a}), and if the file was renamed the agent appends it
 * through {@link Instrumentation#appendToBootstrapClassLoaderSearch} before it uses any other class
 * of its own. Application code that has asynclocal-core on
 * its class path asks its parent loaders first and so gets those same bootstrap classes: there
 * is one {@code AsyncLocalStorage} class and one thread state per thread, seen both by the JDK's
 * pools and by the application. This is also why {@link #install()} must run before any other
 * asynclocal class is used, and why asynclocal-core must not be on the module path when the agent
 * is used (a named module {@code dev.asynclocal} would be a second, separate copy).
 */
public final class AsyncLocalAgent {
    /** The bootstrap-side installer; this class only knows its name (see the class comment). */
    private static final String INSTALLER = "dev.asynclocal.agent.internal.Installer";
    private static final String ATTACHER = "dev.asynclocal.agent.internal.Attacher";
    private static final long ATTACH_TIMEOUT_SECONDS = 60;
    /** Where {@link #agentmain} leaves the reason it could not install, for {@link #install()}. */
    private static final String FAILURE_PROPERTY = "dev.asynclocal.agent.installFailure";
    /**
     * Guards {@link #start}. Not the class's monitor: {@link #install()} holds that while the
     * attach API runs {@link #agentmain} on another thread of this JVM.
     */
    private static final Object START_LOCK = new Object();

    private AsyncLocalAgent() {
    }

    /**
     * Entry point of {@code -javaagent:asynclocal-agent.jar[=options]}.
     *
     * @param options the agent options (see {@code docs/agent.md}); may be {@code null}
     * @param instrumentation the JVM's instrumentation service
     */
    public static void premain(String options, Instrumentation instrumentation) {
        start(options, instrumentation, true);
    }

    /**
     * Entry point when the agent is loaded into a running JVM (by {@link #install()} or by any
     * tool using the attach API).
     *
     * @param options the agent options; may be {@code null}
     * @param instrumentation the JVM's instrumentation service
     */
    public static void agentmain(String options, Instrumentation instrumentation) {
        System.clearProperty(FAILURE_PROPERTY);
        try {
            start(options, instrumentation, false);
        } catch (RuntimeException | Error e) {
            // Thrown out of agentmain, this would print the JVM's instrumentation assertion lines
            // and reach install() only as an AgentInitializationException; install() reads it here
            // instead and throws one exception with this message. The property is the channel
            // because a helper JVM may have done the attaching.
            System.setProperty(FAILURE_PROPERTY, String.valueOf(e.getMessage()));
        }
    }

    /**
     * Installs the agent into the running JVM, if it is not installed yet, and returns once the JDK
     * classes are instrumented.
     *
     * <p>Call it first thing in {@code main}, before any other asynclocal class is used: classes the
     * application loaded before the agent was installed would stay separate from the agent's and
     * see none of the propagation (this method then throws). What it cannot reach: tasks already
     * queued, threads already started, stages already registered and timers created before it
     * returns keep running without propagation; see {@code docs/agent.md}.
     *
     * <p>It uses the JDK's attach API (module {@code jdk.attach}). When the JVM was started with
     * {@code -Djdk.attach.allowAttachSelf=true} it attaches to itself directly; otherwise it starts a
     * short-lived helper JVM ({@code java} of the same installation) that attaches to this one. On
     * JDK 21 and later the JVM prints a warning about a dynamically loaded agent unless it was
     * started with {@code -XX:+EnableDynamicAgentLoading}.
     *
     * @throws IllegalStateException if the agent could not be installed: this code is not running
     *     from the agent jar, asynclocal classes were already loaded by the application, the attach
     *     mechanism is missing or disabled, or the helper JVM failed
     */
    public static synchronized void install() {
        if (isInstalled()) {
            return;
        }
        File jar = agentJar();
        String pid = Long.toString(ProcessHandle.current().pid());
        if (selfAttachAllowed()) {
            attachDirectly(pid, jar);
        } else {
            attachThroughHelper(pid, jar);
        }
        String failure = System.getProperty(FAILURE_PROPERTY);
        if (failure != null) {
            System.clearProperty(FAILURE_PROPERTY);
            throw new IllegalStateException(failure);
        }
        if (!isInstalled()) {
            throw new IllegalStateException("asynclocal agent: attaching returned but the agent is not installed");
        }
    }

    /**
     * Whether the agent is installed in this JVM, from the command line or by {@link #install()}.
     *
     * @return {@code true} once the JDK classes are instrumented
     */
    public static boolean isInstalled() {
        Class<?> installer = bootstrapInstaller();
        if (installer == null) {
            return false;
        }
        try {
            return (Boolean) installer.getMethod("isInstalled").invoke(null);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static void start(String options, Instrumentation instrumentation, boolean atStartUp) {
        synchronized (START_LOCK) {
            startLocked(options, instrumentation, atStartUp);
        }
    }

    private static void startLocked(String options, Instrumentation instrumentation, boolean atStartUp) {
        try {
            refuseIfAlreadyLoaded(instrumentation);
            checkNotOnTheModulePath(atStartUp);
            Class<?> installer = bootstrapInstaller();
            String jarPath = null;
            if (AsyncLocalAgent.class.getClassLoader() != null) {
                // The manifest's Boot-Class-Path did not apply (the jar was renamed, or this is a
                // copy on the application's class path): append the jar ourselves. Appending at
                // this point makes HotSpot print that class sharing is now limited to the
                // bootstrap loader; the Boot-Class-Path route avoids that.
                File jar = agentJar();
                jarPath = jar.getAbsolutePath();
                if (installer == null) {
                    instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jar));
                    // From here on, asking for any class of this jar gives the bootstrap copy.
                    installer = Class.forName(INSTALLER, true, null);
                }
            }
            if (installer == null) {
                throw new IllegalStateException("asynclocal agent: " + INSTALLER + " is not on the bootstrap class path");
            }
            installer.getMethod("install", Instrumentation.class, String.class, String.class)
                    .invoke(null, instrumentation, options == null ? "" : options, jarPath);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException("asynclocal agent: installation failed", cause);
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("asynclocal agent: installation failed", e);
        }
    }

    /** The bootstrap copy of the installer, or {@code null} before the jar was appended. */
    private static Class<?> bootstrapInstaller() {
        try {
            return Class.forName(INSTALLER, false, null);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /**
     * Fails if the application already loaded asynclocal classes through its own class loader:
     * instrumented JDK code would then work with the bootstrap copies and never meet the
     * application's, and propagation would silently do nothing.
     */
    private static void refuseIfAlreadyLoaded(Instrumentation instrumentation) {
        for (Class<?> loaded : instrumentation.getAllLoadedClasses()) {
            String name = loaded.getName();
            if (name.startsWith("dev.asynclocal.") && !name.startsWith("dev.asynclocal.agent.")
                    && loaded.getClassLoader() != null) {
                throw new IllegalStateException("asynclocal agent: " + name + " was already loaded by "
                        + loaded.getClassLoader() + " before the agent was installed (a static asynclocal"
                        + " field of the main class is initialised before main runs); call"
                        + " AsyncLocalAgent.install() from a main class that has no asynclocal field"
                        + " (see docs/agent.md#installing-it-at-run-time), or use -javaagent");
            }
        }
    }

    /**
     * An application that has asynclocal-core on the module path gets its classes from the named
     * module {@code dev.asynclocal}, defined by the application class loader, which never asks the
     * bootstrap loader for them: it would use a second copy of the library that the instrumented
     * JDK classes never see. At start-up (where failing would stop the JVM) this is a warning; at
     * run time, {@link #install()} refuses.
     */
    private static void checkNotOnTheModulePath(boolean atStartUp) {
        if (ModuleLayer.boot().findModule("dev.asynclocal").isEmpty()) {
            return;
        }
        String message = "asynclocal agent: module dev.asynclocal (asynclocal-core) is on the module path, so"
                + " the application uses its own copy of the library and sees none of the agent's"
                + " propagation; put asynclocal-core on the class path instead";
        if (atStartUp) {
            System.err.println(message);
        } else {
            throw new IllegalStateException(message);
        }
    }

    /** The jar this class was loaded from: the agent jar. */
    private static File agentJar() {
        CodeSource source = AsyncLocalAgent.class.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        File file = null;
        if (location != null && "file".equals(location.getProtocol())) {
            try {
                file = new File(location.toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                file = null;
            }
        }
        if (file == null || !file.isFile()) {
            throw new IllegalStateException("asynclocal agent: not running from the agent jar (" + location
                    + "); put asynclocal-agent.jar itself on the class path, or use -javaagent");
        }
        return file;
    }

    private static boolean selfAttachAllowed() {
        // The JDK reads this once at start-up (as HotSpot does): an empty value also means true.
        String value = System.getProperty("jdk.attach.allowAttachSelf");
        return value != null && (value.isEmpty() || Boolean.parseBoolean(value));
    }

    private static void attachDirectly(String pid, File jar) {
        try {
            Class<?> attacher = Class.forName(ATTACHER);
            attacher.getMethod("attach", String.class, String.class).invoke(null, pid, jar.getAbsolutePath());
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("asynclocal agent: self-attach failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("asynclocal agent: self-attach failed (is the jdk.attach module"
                    + " present?): " + e, e);
        }
    }

    private static void attachThroughHelper(String pid, File jar) {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-cp");
        command.add(jar.getAbsolutePath());
        command.add(ATTACHER);
        command.add(pid);
        command.add(jar.getAbsolutePath());
        Process helper;
        try {
            helper = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("asynclocal agent: could not start " + java
                    + " to attach the agent; start the JVM with -javaagent instead", e);
        }
        String output;
        try (InputStream in = helper.getInputStream()) {
            helper.getOutputStream().close();
            if (!helper.waitFor(ATTACH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                helper.destroyForcibly();
                throw new IllegalStateException("asynclocal agent: the attach helper did not finish within "
                        + ATTACH_TIMEOUT_SECONDS + " s");
            }
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException("asynclocal agent: lost the attach helper's output", e);
        } catch (InterruptedException e) {
            helper.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("asynclocal agent: interrupted while attaching", e);
        }
        if (helper.exitValue() != 0) {
            throw new IllegalStateException("asynclocal agent: the attach helper failed (exit "
                    + helper.exitValue() + "): " + output);
        }
    }
}
