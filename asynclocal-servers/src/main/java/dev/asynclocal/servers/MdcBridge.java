package dev.asynclocal.servers;

import dev.asynclocal.CallableOp;

/**
 * Puts the request id in SLF4J's MDC around a call. SLF4J is optional: nothing here touches its
 * classes unless {@link #SLF4J_PRESENT} is true.
 */
final class MdcBridge {
    static final boolean SLF4J_PRESENT = isPresent("org.slf4j.MDC");

    private MdcBridge() {
    }

    /**
     * Runs {@code fn} with {@code key} = {@code value} in the MDC and puts back the previous value
     * afterwards. With asynclocal-slf4j installed the put is scoped to the current context anyway;
     * with a per-thread MDC, the restore is what keeps the id from leaking onto the next request
     * served by the same thread.
     */
    static <R, X extends Throwable> R withValue(String key, String value, CallableOp<R, X> fn) throws X {
        if (key == null) {
            return fn.call();
        }
        return Slf4j.withValue(key, value, fn);
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, MdcBridge.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when SLF4J is present. */
    private static final class Slf4j {
        static <R, X extends Throwable> R withValue(String key, String value, CallableOp<R, X> fn) throws X {
            String previous = org.slf4j.MDC.get(key);
            org.slf4j.MDC.put(key, value);
            try {
                return fn.call();
            } finally {
                if (previous == null) {
                    org.slf4j.MDC.remove(key);
                } else {
                    org.slf4j.MDC.put(key, previous);
                }
            }
        }
    }
}
