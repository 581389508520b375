package dev.asynclocal.examples.demo;

import dev.asynclocal.AsyncCompletableFuture;
import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

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

        @Override
        <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor) {
            return AsyncCompletableFuture.supplyAsync(supplier, executor);
        }

        @Override
        IntConsumer forEachElement(IntConsumer action) {
            // A parallel stream hands its elements to fork/join workers that no wrapper sees, so
            // each element enters the context captured where the stream starts.
            Snapshot here = AsyncLocalStorage.snapshot();
            return i -> here.run(() -> action.accept(i));
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

        @Override
        <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor) {
            return CompletableFuture.supplyAsync(supplier, executor);
        }

        @Override
        IntConsumer forEachElement(IntConsumer action) {
            return action;
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

    /** A future completed by {@code supplier} on {@code executor}, in the context current now. */
    abstract <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier, Executor executor);

    /**
     * The body of a parallel stream's {@code forEach}, called now, so that each element runs in
     * the context current now on whichever fork/join worker takes it.
     */
    abstract IntConsumer forEachElement(IntConsumer action);

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
