/**
 * asynclocal: Node.js's {@code node:async_hooks} (AsyncLocalStorage, AsyncResource, createHook)
 * for the JVM. Only {@code dev.asynclocal} is API; {@code dev.asynclocal.internal} is not exported.
 */
module dev.asynclocal {
    exports dev.asynclocal;
}
