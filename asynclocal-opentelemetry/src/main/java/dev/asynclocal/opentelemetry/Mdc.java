package dev.asynclocal.opentelemetry;

import dev.asynclocal.CallableOp;
import java.util.List;

/**
 * Puts received entries in SLF4J's MDC around a call. SLF4J is optional: nothing here touches its
 * classes unless it is on the class path and some declaration asks for an MDC key.
 */
final class Mdc {
    private static final boolean SLF4J_PRESENT = isPresent("org.slf4j.MDC");

    private Mdc() {
    }

    static <R, X extends Throwable> R with(List<PropagatedStorage<?>> storages, String[] received,
            CallableOp<? extends R, X> fn) throws X {
        if (!SLF4J_PRESENT || !wanted(storages, received)) {
            return fn.call();
        }
        return Slf4j.with(storages, received, fn);
    }

    /**
     * Puts the received entries in the MDC now; the result puts back what was there.
     */
    static Runnable put(List<PropagatedStorage<?>> storages, String[] received) {
        if (!SLF4J_PRESENT || !wanted(storages, received)) {
            return () -> { };
        }
        return Slf4j.put(storages, received);
    }

    private static boolean wanted(List<PropagatedStorage<?>> storages, String[] received) {
        for (int i = 0; i < received.length; i++) {
            if (received[i] != null && storages.get(i).mdcKey() != null) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, Mdc.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when SLF4J is present. */
    private static final class Slf4j {
        static <R, X extends Throwable> R with(List<PropagatedStorage<?>> storages, String[] received,
                CallableOp<? extends R, X> fn) throws X {
            Runnable restore = put(storages, received);
            try {
                return fn.call();
            } finally {
                restore.run();
            }
        }

        static Runnable put(List<PropagatedStorage<?>> storages, String[] received) {
            String[] previous = new String[received.length];
            for (int i = 0; i < received.length; i++) {
                String key = storages.get(i).mdcKey();
                if (received[i] != null && key != null) {
                    previous[i] = org.slf4j.MDC.get(key);
                    org.slf4j.MDC.put(key, received[i]);
                }
            }
            // With a per-thread MDC this is what keeps the values off the next request served by
            // the same thread; with asynclocal-slf4j the puts were scoped already.
            return () -> {
                for (int i = received.length - 1; i >= 0; i--) {
                    String key = storages.get(i).mdcKey();
                    if (received[i] != null && key != null) {
                        if (previous[i] == null) {
                            org.slf4j.MDC.remove(key);
                        } else {
                            org.slf4j.MDC.put(key, previous[i]);
                        }
                    }
                }
            };
        }
    }
}
