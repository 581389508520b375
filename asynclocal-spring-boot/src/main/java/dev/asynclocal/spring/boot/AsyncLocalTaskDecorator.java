package dev.asynclocal.spring.boot;

import dev.asynclocal.AsyncLocalStorage;
import org.springframework.core.task.TaskDecorator;

/**
 * Runs each task of a Spring executor or scheduler in the context where it was submitted (for a
 * {@code @Scheduled} method: where it was scheduled, at start-up, so in no request's context), and
 * gives the thread its own context back afterwards, even after an {@code enterWith} or an
 * {@code MDC.put} inside the task. With the asynclocal agent installed the JDK pool underneath
 * sees an already bound task and does not capture it a second time.
 */
public final class AsyncLocalTaskDecorator implements TaskDecorator {
    @Override
    public Runnable decorate(Runnable runnable) {
        return AsyncLocalStorage.bind(runnable);
    }

    @Override
    public String toString() {
        return "AsyncLocalTaskDecorator";
    }
}
