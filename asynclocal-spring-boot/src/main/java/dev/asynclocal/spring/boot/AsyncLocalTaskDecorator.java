package dev.asynclocal.spring.boot;

import dev.asynclocal.AsyncLocalStorage;
import org.springframework.core.task.TaskDecorator;

/**
 * Runs each task of a Spring executor or scheduler in the context where it was submitted (for a
 * {@code @Scheduled} method: where it was scheduled, at start-up, so in no request's context), and
 * gives the thread its own context back afterwards, even after an {@code enterWith} or an
 * {@code MDC.put} inside the task. With the asynclocal agent installed the JDK pool underneath
 * sees an already bound task and does not capture it a second time, so a submission is one capture
 * with or without the agent. (A {@code CompletableFuture}'s task is bound here too: the agent's own
 * capture of its callback happens on any pool, and leaving the task unbound would only let the
 * pool capture it instead.)
 */
public final class AsyncLocalTaskDecorator implements TaskDecorator {
    private final TaskDecorator inner;

    /** The decorator on its own. */
    public AsyncLocalTaskDecorator() {
        this(null);
    }

    private AsyncLocalTaskDecorator(TaskDecorator inner) {
        this.inner = inner;
    }

    /**
     * {@code decorator}'s work, run in the submitter's context: what the starter makes of an
     * application's own {@code TaskDecorator} bean, so that there is still exactly one decorator
     * for Boot to apply.
     *
     * @param decorator the application's decorator
     * @return a decorator that applies {@code decorator} and binds the result
     */
    public static AsyncLocalTaskDecorator around(TaskDecorator decorator) {
        return new AsyncLocalTaskDecorator(java.util.Objects.requireNonNull(decorator, "decorator"));
    }

    @Override
    public Runnable decorate(Runnable runnable) {
        return AsyncLocalStorage.bind(inner == null ? runnable : inner.decorate(runnable));
    }

    @Override
    public String toString() {
        return inner == null ? "AsyncLocalTaskDecorator" : "AsyncLocalTaskDecorator(" + inner + ")";
    }
}
