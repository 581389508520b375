package dev.asynclocal.spring.boot.mvcapp;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.servers.RequestIds;
import dev.asynclocal.spring.boot.DeclaredStores;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * A servlet application of the kind users write: nothing in it mentions propagation; the starter
 * must make every endpoint answer with the request's own id and tenant.
 */
@SpringBootApplication
@EnableAsync
@EnableScheduling
public class MvcApplication {
    /** Lines written on every hop of {@code /hops}, each with the id its request should have. */
    public static final Logger HOPS = LoggerFactory.getLogger("mvcapp.hops");

    /** What one piece of work saw: the request id, the MDC's id and the tenant store. */
    public static String seen(DeclaredStores stores) {
        return RequestIds.current() + "|" + MDC.get("requestId") + "|" + stores.storage("tenant").getStore();
    }

    @Service
    public static class Worker {
        private final DeclaredStores stores;

        Worker(DeclaredStores stores) {
            this.stores = stores;
        }

        @Async
        public CompletableFuture<String> asyncSeen() {
            return CompletableFuture.completedFuture(seen(stores));
        }

        @Async
        public CompletableFuture<String> asyncHop(String expectedId) {
            HOPS.info("@Async method of {}", expectedId);
            return CompletableFuture.completedFuture(seen(stores));
        }
    }

    /** An event published by a request and handled on Boot's executor. */
    public record Published(String key, String expectedId) {
    }

    @Service
    public static class Listener {
        private final DeclaredStores stores;
        final Map<String, String> seenByKey = new ConcurrentHashMap<>();
        final Map<String, CountDownLatch> done = new ConcurrentHashMap<>();

        Listener(DeclaredStores stores) {
            this.stores = stores;
        }

        @Async
        @EventListener
        public void on(Published event) {
            HOPS.info("@Async event listener of {}", event.expectedId());
            seenByKey.put(event.key(), seen(stores));
            done.computeIfAbsent(event.key(), k -> new CountDownLatch(1)).countDown();
        }

        public String await(String key) throws InterruptedException {
            if (!done.computeIfAbsent(key, k -> new CountDownLatch(1)).await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("event " + key + " not handled");
            }
            done.remove(key);
            return seenByKey.remove(key);
        }
    }

    /** Runs every 5 ms on Boot's scheduler: it belongs to no request and must see none. */
    @Service
    public static class Ticker {
        private final DeclaredStores stores;
        public final Queue<String> leaks = new ConcurrentLinkedQueue<>();
        public volatile int ticks;

        Ticker(DeclaredStores stores) {
            this.stores = stores;
        }

        @Scheduled(fixedDelay = 5)
        public void tick() {
            ticks++;
            String seen = seen(stores);
            if (!"null|null|null".equals(seen)) {
                leaks.add(seen);
            }
            // A tick that sets a store of its own must not hand it to the next tick.
            stores.storage("tenant").enterWith("tick-" + ticks);
            MDC.put("requestId", "tick-" + ticks);
        }
    }

    @RestController
    public static class Endpoints {
        private final DeclaredStores stores;
        private final Worker worker;
        private final Listener listener;
        private final ApplicationEventPublisher events;
        private final AsyncTaskExecutor executor;
        private final RestClient client;
        private final org.springframework.core.env.Environment environment;

        Endpoints(DeclaredStores stores, Worker worker, Listener listener, ApplicationEventPublisher events,
                @org.springframework.beans.factory.annotation.Qualifier("applicationTaskExecutor") AsyncTaskExecutor executor,
                RestClient.Builder clients,
                org.springframework.core.env.Environment environment) {
            this.stores = stores;
            this.worker = worker;
            this.listener = listener;
            this.events = events;
            this.executor = executor;
            this.client = clients.build();
            this.environment = environment;
        }

        @GetMapping("/seen")
        public String seen() {
            return MvcApplication.seen(stores);
        }

        /** {@code @Async}, an async event listener and a task on Boot's executor, in one request. */
        @GetMapping("/hops")
        public String hops(@RequestHeader(name = "X-Request-Id", required = false) String expectedId) throws Exception {
            HOPS.info("handler of {}", expectedId);
            String direct = MvcApplication.seen(stores);
            String async = worker.asyncHop(expectedId).get(10, TimeUnit.SECONDS);
            String key = direct + "#" + System.nanoTime();
            events.publishEvent(new Published(key, expectedId));
            String event = listener.await(key);
            String task = executor.submit(() -> {
                HOPS.info("executor task of {}", expectedId);
                return MvcApplication.seen(stores);
            }).get(10, TimeUnit.SECONDS);
            return direct + "," + async + "," + event + "," + task;
        }

        /** Sets the tenant for the rest of the request, as a handler might after authentication. */
        @GetMapping("/enter")
        public String enter(@RequestParam("tenant") String tenant) throws Exception {
            AsyncLocalStorage<String> storage = stores.storage("tenant");
            storage.enterWith(tenant);
            return executor.submit(() -> MvcApplication.seen(stores)).get(10, TimeUnit.SECONDS);
        }

        /** Calls this application back: the id and tenant must reach the callee as baggage. */
        @GetMapping("/call")
        public String call() {
            return MvcApplication.seen(stores) + ">" + client.get().uri("http://localhost:" + environment.getProperty("local.server.port") + "/seen").retrieve().body(String.class);
        }

        @GetMapping("/deferred")
        public DeferredResult<String> deferred() {
            DeferredResult<String> result = new DeferredResult<>(10_000L);
            executor.execute(() -> result.setResult(MvcApplication.seen(stores)));
            return result;
        }

        @GetMapping("/callable")
        public Callable<String> callable() {
            return () -> MvcApplication.seen(stores);
        }

        /** The common pool: only the agent carries the context there. */
        @GetMapping("/common-pool")
        public String commonPool() throws Exception {
            return CompletableFuture.supplyAsync(() -> MvcApplication.seen(stores)).get(10, TimeUnit.SECONDS);
        }

        /** Written by Spring's task executor after the handler has returned. */
        @GetMapping("/streaming")
        public org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody streaming() {
            return out -> out.write(MvcApplication.seen(stores).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @GetMapping("/future")
        public CompletableFuture<String> future() {
            return worker.asyncSeen();
        }
    }
}
