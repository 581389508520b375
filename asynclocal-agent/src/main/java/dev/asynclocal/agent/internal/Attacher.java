package dev.asynclocal.agent.internal;

import com.sun.tools.attach.VirtualMachine;

/**
 * Loads the agent jar into a JVM through the attach API: called in-process by
 * {@code AsyncLocalAgent.install()} when self-attach is allowed, otherwise run as the main class
 * of a short-lived helper JVM ({@code java -cp asynclocal-agent.jar ... <pid> <jar>}).
 */
public final class Attacher {
    private Attacher() {
    }

    /**
     * Helper-process entry point: {@code <pid> <agent jar>}; exits with 0 once the agent's
     * {@code agentmain} returned, 1 with a message on failure.
     *
     * @param args the target JVM's pid and the agent jar's path
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: Attacher <pid> <agent jar>");
            System.exit(2);
        }
        try {
            attach(args[0], args[1]);
        } catch (Exception e) {
            System.err.println("asynclocal agent: could not attach to " + args[0] + ": " + e);
            System.exit(1);
        }
    }

    /**
     * Attaches to the JVM {@code pid} and loads {@code jar} as an agent; returns after its
     * {@code agentmain} returned.
     *
     * @param pid the target JVM's process id
     * @param jar the agent jar's path
     * @throws Exception whatever the attach API throws
     */
    public static void attach(String pid, String jar) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(pid);
        try {
            vm.loadAgent(jar, "");
        } finally {
            vm.detach();
        }
    }
}
