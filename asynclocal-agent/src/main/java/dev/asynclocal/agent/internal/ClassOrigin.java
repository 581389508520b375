package dev.asynclocal.agent.internal;

/**
 * Where a class comes from, decided here and nowhere else in the agent:
 * <ul>
 *   <li><b>the JDK's</b>: transformed only where {@link TargetTable} names it, never matched as an
 *       application subclass or implementation, and never taken for the code that waits on a
 *       {@code Condition} (see {@link ThreadSupport#waitingOnCondition});</li>
 *   <li><b>the agent's and the library's own internals</b>: never transformed (the code the agent
 *       adds calls them);</li>
 *   <li><b>everything else</b>, the application and its libraries.</li>
 * </ul>
 * Before a class is loaded only its name is known, and the JDK is recognised by its packages; once
 * loaded, by its class loader, which also tells the library's own classes (on the bootstrap class
 * path with the agent) from the application's.
 */
final class ClassOrigin {
    /** The JDK's packages, by binary name; {@link #isJdk} also accepts internal names ({@code java/lang/Thread}). */
    private static final String[] JDK_PACKAGES = {"java.", "javax.", "jdk.", "sun.", "com.sun."};

    /** The packages of the code the agent adds to other classes calls: transforming them would recurse. */
    private static final String[] AGENT_PACKAGES = {
        "dev.asynclocal.agent.internal.", "dev.asynclocal.agent.shaded.", "dev.asynclocal.internal."};

    private ClassOrigin() {
    }

    /**
     * Whether a class belongs to the JDK, judged by its name.
     *
     * @param name a binary name ({@code java.lang.Thread}) or an internal one ({@code java/lang/Thread})
     * @return {@code true} for the JDK's packages
     */
    static boolean isJdk(String name) {
        return inAny(name, JDK_PACKAGES);
    }

    /**
     * Whether a class is part of the agent or of the library's internals, which are never transformed.
     *
     * @param name a binary or internal name
     * @return {@code true} for the agent's and the engine's packages
     */
    static boolean isAgentInternal(String name) {
        return inAny(name, AGENT_PACKAGES);
    }

    /**
     * Whether a loaded class was defined by the application's class loaders rather than by the
     * bootstrap or platform loader (which define the JDK and, with the agent, the library itself).
     *
     * @param type a loaded class
     * @return {@code true} for the application's classes, its libraries' included
     */
    static boolean isApplicationLoaded(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader != null && loader != ClassLoader.getPlatformClassLoader();
    }

    /** Whether {@code name} starts with one of {@code packages}, reading a '/' in it as a '.'. */
    private static boolean inAny(String name, String[] packages) {
        for (String prefix : packages) {
            if (startsWith(name, prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(String name, String prefix) {
        if (name.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = name.charAt(i);
            if ((c == '/' ? '.' : c) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
