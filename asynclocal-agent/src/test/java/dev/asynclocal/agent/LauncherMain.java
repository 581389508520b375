package dev.asynclocal.agent;

/**
 * The documented pattern (docs/agent.md, "Installing it at run time"): a main class with no
 * asynclocal field installs the agent, then hands over to the application's class.
 */
public final class LauncherMain {
    private LauncherMain() {
    }

    public static void main(String[] args) throws Exception {
        AsyncLocalAgent.install();
        StaticFieldMain.run();
    }
}
