package dev.asynclocal.examples.spring;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/** Work that runs on Boot's executor through {@code @Async}: its log line carries the caller's request. */
@Service
public class Billing {
    private static final Logger log = LoggerFactory.getLogger(Billing.class);

    /**
     * The total of an order, computed on Boot's {@code applicationTaskExecutor}.
     *
     * @param order the order id
     * @return the total
     */
    // snippet:start async
    @Async
    public CompletableFuture<String> totalAsync(String order) {
        log.info("computing the total of order {}", order);   // another thread, same [requestId tenant]
        return CompletableFuture.completedFuture("42.00 EUR");
    }
    // snippet:end async
}
