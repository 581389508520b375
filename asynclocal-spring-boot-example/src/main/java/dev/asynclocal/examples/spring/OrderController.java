package dev.asynclocal.examples.spring;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.servers.RequestIds;
import dev.asynclocal.spring.boot.DeclaredStores;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * One request, four places its work runs: the handler on a Tomcat thread, an {@code @Async}
 * method and a {@code CompletableFuture} task on Boot's executor, and a downstream service called
 * with {@code RestClient} (this same application plays it, at {@code /stock/{id}}, so that the
 * example needs no second process). Every log line of all four shows the request's id and tenant;
 * nothing here passes them by hand.
 */
// snippet:start controller
@RestController
public class OrderController {
    private static final Logger log = LoggerFactory.getLogger(OrderController.class);
    private final AsyncLocalStorage<String> tenant;
    private final Billing billing;
    private final AsyncTaskExecutor executor;
    private final RestClient client;

    OrderController(DeclaredStores stores, Billing billing, AsyncTaskExecutor executor, RestClient.Builder clients) {
        this.tenant = stores.storage("tenant");     // asynclocal.propagated=tenant
        this.billing = billing;
        this.executor = executor;                   // Boot's applicationTaskExecutor
        this.client = clients.build();              // sends requestId, tenant and userId as baggage
    }

    @GetMapping("/orders/{id}")
    public OrderView order(@PathVariable String id) {
        log.info("looking up order {}", id);        // [requestId tenant] from the MDC
        CompletableFuture<String> total = billing.totalAsync(id);               // @Async
        CompletableFuture<String> shipping = CompletableFuture.supplyAsync(() -> {
            log.info("estimating shipping of order {}", id);                    // Boot's executor
            return "2 days (estimated in request " + RequestIds.current() + ")";
        }, executor);
        String stock = client.get()                 // another service: here, this application
                .uri(ServletUriComponentsBuilder.fromCurrentContextPath().path("/stock/{id}").build(id))
                .retrieve()
                .body(String.class);
        return new OrderView(id, RequestIds.current(), tenant.getStore(), ExampleApplication.USER_ID.getStore(),
                total.join(), shipping.join(), stock);
    }
}
// snippet:end controller
