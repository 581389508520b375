package dev.asynclocal.spring.boot;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code asynclocal} actuator endpoint, when the actuator is present and the endpoint available. */
@AutoConfiguration(after = AsyncLocalAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
public class AsyncLocalEndpointAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = AsyncLocalEndpoint.class)
    AsyncLocalEndpoint asyncLocalEndpoint(DeclaredStores stores) {
        return new AsyncLocalEndpoint(stores);
    }
}
