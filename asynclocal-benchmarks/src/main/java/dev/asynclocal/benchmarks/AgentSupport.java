package dev.asynclocal.benchmarks;

/**
 * Whether the asynclocal agent runs in this JVM, for group 7. {@code run.sh} runs the plain-JDK rows
 * of that group a second time with {@code -javaagent}; those rows must then propagate, and a trial
 * whose agent did not install is stopped rather than reported as an agent row.
 */
final class AgentSupport {
    /** The agent's entry point, looked up by name: the benchmarks do not depend on it. */
    private static final String AGENT_CLASS = "dev.asynclocal.agent.AsyncLocalAgent";

    private AgentSupport() {
    }

    static boolean agentInstalled() {
        try {
            Class<?> agent = Class.forName(AGENT_CLASS, false, ClassLoader.getSystemClassLoader());
            return Boolean.TRUE.equals(agent.getMethod("isInstalled").invoke(null));
        } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
            return false;
        }
    }

    /**
     * Fails the trial when what a plain-JDK row saw does not match the JVM it runs in: all of it
     * with the agent, none of it without.
     */
    static void checkPlainRow(int seen, int all, String what) {
        int expected = agentInstalled() ? all : 0;
        if (seen != expected) {
            throw new IllegalStateException(what + " saw the value " + seen + " times out of " + all + ", expected "
                    + expected + (agentInstalled() ? " (agent installed)" : " (no agent)"));
        }
    }
}
