package dev.asynclocal.micrometer;

import dev.asynclocal.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * docs/micrometer.md: an asynclocal store carried by Reactor's schedulers and by Spring's task
 * decorator once its accessor is registered. Run by {@code ExamplesTest}.
 */
public final class MicrometerExample {
    // snippet:start register
    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void startup() {
        AsyncLocalThreadLocalAccessor.register("user", USER);
        Hooks.enableAutomaticContextPropagation();
    }
    // snippet:end register

    private MicrometerExample() {
    }

    public static void main(String[] args) throws Exception {
        startup();
        // snippet:start reactor
        String published = USER.run("alice", () -> Mono.just("order-1")
                .publishOn(Schedulers.parallel())
                .map(order -> order + " for " + USER.getStore() + " on " + thread())
                .block());

        String subscribed = USER.run("bob", () -> Mono.fromCallable(() -> "order-2 for " + USER.getStore() + " on " + thread())
                .subscribeOn(Schedulers.boundedElastic())
                .block());
        // snippet:end reactor
        System.out.println(published);
        System.out.println(subscribed);

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // snippet:start spring
            ContextPropagatingTaskDecorator decorator = new ContextPropagatingTaskDecorator();
            CompletableFuture<String> seen = new CompletableFuture<>();
            USER.run("carol", () -> pool.execute(decorator.decorate(() -> seen.complete(USER.getStore()))));
            // snippet:end spring
            System.out.println("Spring-decorated task sees " + seen.get());
            System.out.println("the pool thread afterwards sees " + pool.submit(USER::getStore).get());
        } finally {
            pool.shutdownNow();
        }
    }

    private static String thread() {
        return Thread.currentThread().getName().replaceAll("-\\d+$", "");
    }
}
