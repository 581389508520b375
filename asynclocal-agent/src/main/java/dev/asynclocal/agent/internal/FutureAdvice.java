package dev.asynclocal.agent.internal;

import dev.asynclocal.internal.Engine;
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
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Function<Object, Object> fn) {
            Function<Object, Object> bound = FutureSupport.function(fn);
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
        static Object enter(@Advice.Argument(value = 1, readOnly = false) Function<Object, Object> fn) {
            Function<Object, Object> bound = FutureSupport.function(fn);
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
        static Object enter(@Advice.Argument(value = 0, readOnly = false) BiFunction<Object, Object, Object> fn) {
            BiFunction<Object, Object, Object> bound = FutureSupport.biFunction(fn);
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
        static Object enter(@Advice.Argument(value = 1, readOnly = false) BiFunction<Object, Object, Object> fn) {
            BiFunction<Object, Object, Object> bound = FutureSupport.biFunction(fn);
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
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Consumer<Object> action) {
            Consumer<Object> bound = FutureSupport.consumer(action);
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
        static Object enter(@Advice.Argument(value = 1, readOnly = false) Consumer<Object> action) {
            Consumer<Object> bound = FutureSupport.consumer(action);
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
        static Object enter(@Advice.Argument(value = 0, readOnly = false) BiConsumer<Object, Object> action) {
            BiConsumer<Object, Object> bound = FutureSupport.biConsumer(action);
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
        static Object enter(@Advice.Argument(value = 1, readOnly = false) BiConsumer<Object, Object> action) {
            BiConsumer<Object, Object> bound = FutureSupport.biConsumer(action);
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
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Runnable action) {
            Runnable bound = FutureSupport.runnable(action);
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
        static Object enter(@Advice.Argument(value = 1, readOnly = false) Runnable action) {
            Runnable bound = FutureSupport.runnable(action);
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
        static Object enter(@Advice.Argument(value = 0, readOnly = false) Supplier<Object> supplier) {
            Supplier<Object> bound = FutureSupport.supplier(supplier);
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
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = Propagation.runnable(task, Engine.SCHEDULED_TASK,
                    Engine.FINISH_AFTER_RUN);
        }
    }
}
