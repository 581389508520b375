package dev.asynclocal.agent;

/**
 * Main class of the {@link InstallIT} child JVMs. Touches no asynclocal class before
 * {@link AsyncLocalAgent#install()} unless told to ({@code use-first}); the checks live in
 * {@link InstallChecks}, loaded only after installation.
 */
public final class InstallProbe {
    private InstallProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("use-first")) {
            InstallChecks.touch();
        }
        System.out.println("installed-before=" + AsyncLocalAgent.isInstalled());
        try {
            AsyncLocalAgent.install();
        } catch (IllegalStateException e) {
            System.out.println("refused: " + e.getMessage());
            return;
        }
        System.out.println("installed-after=" + AsyncLocalAgent.isInstalled());
        AsyncLocalAgent.install(); // a second call does nothing
        InstallChecks.run();
    }
}
