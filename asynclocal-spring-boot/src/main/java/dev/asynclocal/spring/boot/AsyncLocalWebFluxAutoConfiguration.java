package dev.asynclocal.spring.boot;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

/**
 * WebFlux applications: one {@link WebFilter} gives every request its own context, carried by
 * the Reactor context (see {@link AsyncLocalWebFilter}).
 */
@AutoConfiguration(after = AsyncLocalAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(name = {"org.springframework.web.server.WebFilter", "reactor.core.publisher.Mono"})
public class AsyncLocalWebFluxAutoConfiguration {
    @Bean
    WebFilter asyncLocalWebFilter(DeclaredStores stores, AsyncLocalProperties properties) {
        return new AsyncLocalWebFilter(stores.propagation(), properties.getRequestId());
    }
}
