package dev.asynclocal.agent.internal;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import net.bytebuddy.asm.Advice;

/**
 * Advice for {@code CompletableFuture}; the logic is in {@link FutureSupport}. One class per
 * callback type and argument position, so that each binds the argument with its declared type.
 */
final class FutureAdvice {
    private FutureAdvice() {
    }

    static final class Function0 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Function<Object, Object> fn,
                @Resource.Type String type) {
            Function<Object, Object> bound = FutureSupport.function(fn, type);
            if (bound == fn) {
                return null;
            }
            fn = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class Function1 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 1, readOnly = false) Function<Object, Object> fn,
                @Resource.Type String type) {
            Function<Object, Object> bound = FutureSupport.function(fn, type);
            if (bound == fn) {
                return null;
            }
            fn = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class BiFunction0 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 0, readOnly = false) BiFunction<Object, Object, Object> fn,
                @Resource.Type String type) {
            BiFunction<Object, Object, Object> bound = FutureSupport.biFunction(fn, type);
            if (bound == fn) {
                return null;
            }
            fn = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class BiFunction1 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 1, readOnly = false) BiFunction<Object, Object, Object> fn,
                @Resource.Type String type) {
            BiFunction<Object, Object, Object> bound = FutureSupport.biFunction(fn, type);
            if (bound == fn) {
                return null;
            }
            fn = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class Consumer0 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Consumer<Object> action,
                @Resource.Type String type) {
            Consumer<Object> bound = FutureSupport.consumer(action, type);
            if (bound == action) {
                return null;
            }
            action = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class Consumer1 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 1, readOnly = false) Consumer<Object> action,
                @Resource.Type String type) {
            Consumer<Object> bound = FutureSupport.consumer(action, type);
            if (bound == action) {
                return null;
            }
            action = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class BiConsumer0 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 0, readOnly = false) BiConsumer<Object, Object> action,
                @Resource.Type String type) {
            BiConsumer<Object, Object> bound = FutureSupport.biConsumer(action, type);
            if (bound == action) {
                return null;
            }
            action = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class BiConsumer1 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 1, readOnly = false) BiConsumer<Object, Object> action,
                @Resource.Type String type) {
            BiConsumer<Object, Object> bound = FutureSupport.biConsumer(action, type);
            if (bound == action) {
                return null;
            }
            action = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class Runnable0 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Runnable action,
                @Resource.Type String type) {
            Runnable bound = FutureSupport.runnable(action, type);
            if (bound == action) {
                return null;
            }
            action = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class Runnable1 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 1, readOnly = false) Runnable action,
                @Resource.Type String type) {
            Runnable bound = FutureSupport.runnable(action, type);
            if (bound == action) {
                return null;
            }
            action = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    static final class Supplier0 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Supplier<Object> supplier,
                @Resource.Type String type) {
            Supplier<Object> bound = FutureSupport.supplier(supplier, type);
            if (bound == supplier) {
                return null;
            }
            supplier = bound;
            return bound;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object bound, @Advice.Return Object returned, @Advice.Thrown Throwable thrown) {
            if (bound != null) {
                FutureSupport.registered(bound, returned, thrown);
            }
        }
    }

    /** {@code postComplete()}: dependents that carry no capture run in the empty context. */
    static final class PostComplete {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter() {
            return FutureSupport.beginDependents();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object saved) {
            if (saved != null) {
                FutureSupport.endDependents(saved);
            }
        }
    }

    /** {@code CompletableFuture.delayedExecutor(...).execute(Runnable)}. */
    static final class DelayedExecute {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task,
                @Resource.Type String type, @Resource.Ending int ending) {
            task = Propagation.runnable(task, type, ending);
        }
    }
}
