package dev.asynclocal.examples.spring;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.servers.RequestIds;
import dev.asynclocal.spring.boot.DeclaredStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The downstream service {@link OrderController} calls. It is a request of its own, on another
 * Tomcat thread, and it gets the caller's request id and tenant from the W3C {@code baggage}
 * header that the starter's {@code RestClient} interceptor sent.
 */
@RestController
public class StockController {
    private static final Logger log = LoggerFactory.getLogger(StockController.class);
    private final AsyncLocalStorage<String> tenant;

    StockController(DeclaredStores stores) {
        this.tenant = stores.storage("tenant");
    }

    /**
     * The stock of an order's item, with what this request received.
     *
     * @param id the order id
     * @return a line naming the tenant and the request id this side sees
     */
    // snippet:start downstream
    @GetMapping("/stock/{id}")
    public String stock(@PathVariable String id) {
        log.info("checking the stock of order {}", id);    // the caller's [requestId tenant]
        return "7 in stock for " + tenant.getStore() + " (request " + RequestIds.current() + ")";
    }
    // snippet:end downstream
}
