/**
 * asynclocal: Node.js's {@code node:async_hooks} (AsyncLocalStorage, AsyncResource, createHook)
 * for the JVM. Only {@code dev.asynclocal} is API; {@code dev.asynclocal.internal} is not exported,
 * except to the library's own modules that switch frames (agent, JUnit extension, Kotlin).
 */
@SuppressWarnings("module") // the friend modules are built after this one
module dev.asynclocal {
    // Only the context-loss detector's JFR events use it, and only once the detector is on; a
    // runtime without jdk.jfr still runs everything else.
    requires static jdk.jfr;

    exports dev.asynclocal;
    // The modules built with the core that switch frames themselves (the agent's advice, the
    // coroutine element, the JUnit extension's leak checks); nobody else.
    exports dev.asynclocal.internal to dev.asynclocal.agent, dev.asynclocal.junit, dev.asynclocal.kotlin;
}
