package dev.asynclocal.internal;

/** Where {@link Hooks} sends an exception thrown by a hook callback. */
@FunctionalInterface
public interface HookErrorReporter {
    void report(String callback, String resourceType, long asyncId, Throwable error);
}
