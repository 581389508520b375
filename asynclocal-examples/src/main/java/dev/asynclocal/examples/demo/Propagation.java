package dev.asynclocal.examples.demo;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How the demo server's work gets the request's context across threads. The server code is the
 * same in both modes; only the executors and futures it is given differ.
 */
public enum Propagation {
    /**
     * The application says where context must travel: its executors are wrapped with
     * {@link AsyncExecutors#wrap} and its futures are {@link AsyncCompletableFuture}s. Works on
     * any JVM, with no agent.
     */
    WRAPPERS {
        @Override
        ExecutorService executor(ExecutorService pool) {
            return AsyncExecutors.wrap(pool);
        }

        @Override
        ScheduledExecutorService scheduler(ScheduledExecutorService pool) {
            return AsyncExecutors.wrap(pool);
        }

        @Override
        <T> CompletableFuture<T> newFuture() {
            return new AsyncCompletableFuture<>();
        }
    },

    /**
     * Plain JDK executors and {@link CompletableFuture}s, as unmodified code uses them; the
     * asynclocal Java agent ({@code -javaagent:asynclocal-agent.jar}) makes them propagate.
     * Without the agent this mode would lose the context at the first hop, so
     * {@link #detect()} picks it only when the agent is installed.
     */
    AGENT {
        @Override
        ExecutorService executor(ExecutorService pool) {
            return pool;
        }

        @Override
        ScheduledExecutorService scheduler(ScheduledExecutorService pool) {
            return pool;
        }

        @Override
        <T> CompletableFuture<T> newFuture() {
            return new CompletableFuture<>();
        }
    };

    /** The agent's public entry point; looked up by name so this module does not depend on it. */
    private static final String AGENT_CLASS = "dev.asynclocal.agent.AsyncLocalAgent";

    /** The executor the server's code submits to, running its tasks on {@code pool}'s threads. */
    abstract ExecutorService executor(ExecutorService pool);

    /** The scheduler the server's code schedules on, running its tasks on {@code pool}'s threads. */
    abstract ScheduledExecutorService scheduler(ScheduledExecutorService pool);

    /** A new, incomplete future for the server's code to register stages on. */
    abstract <T> CompletableFuture<T> newFuture();

    /**
     * The mode to use when the user did not choose: {@link #AGENT} when the agent is installed in
     * this JVM, {@link #WRAPPERS} otherwise.
     *
     * @return the mode
     */
    public static Propagation detect() {
        return agentInstalled() ? AGENT : WRAPPERS;
    }

    /**
     * Whether the asynclocal agent is installed in this JVM. {@code -javaagent} puts the agent jar
     * on the class path, so its class is found there; without the agent it is absent.
     *
     * @return {@code true} when the agent's {@code isInstalled()} says so
     */
    public static boolean agentInstalled() {
        try {
            Class<?> agent = Class.forName(AGENT_CLASS, false, ClassLoader.getSystemClassLoader());
            return Boolean.TRUE.equals(agent.getMethod("isInstalled").invoke(null));
        } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
            return false;
        }
    }

    /**
     * How the mode is named in messages.
     *
     * @return a short description
     */
    public String describe() {
        return this == AGENT
                ? "agent (plain JDK executors and CompletableFuture, instrumented by the asynclocal agent)"
                : "wrappers (AsyncExecutors.wrap and AsyncCompletableFuture)";
    }
}
