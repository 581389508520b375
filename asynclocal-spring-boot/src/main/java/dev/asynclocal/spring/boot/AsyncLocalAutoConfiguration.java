package dev.asynclocal.spring.boot;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.micrometer.AsyncLocalContextAccessor;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import dev.asynclocal.servers.RequestIds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What every application gets: the declared stores and their W3C propagation, the
 * {@link AsyncLocalTaskDecorator} that Boot's executor and scheduler builders apply, outbound HTTP
 * that sends the stores, and Reactor's automatic context propagation carrying the whole context.
 * The servlet and WebFlux sides are in their own configurations.
 */
@AutoConfiguration
@EnableConfigurationProperties(AsyncLocalProperties.class)
public class AsyncLocalAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DeclaredStores asyncLocalDeclaredStores(AsyncLocalProperties properties,
            ObjectProvider<PropagatedStorage<?>> declaredBeans) {
        List<PropagatedStorage<?>> declared = new ArrayList<>();
        AsyncLocalProperties.RequestId requestId = properties.getRequestId();
        if (requestId.isEnabled() && requestId.isPropagated()) {
            declared.add(PropagatedStorage.ofString(RequestIds.storage(), "requestId"));
        }
        Map<String, AsyncLocalStorage<String>> fromProperties = new LinkedHashMap<>();
        for (String key : properties.getPropagated()) {
            AsyncLocalStorage<String> storage = new AsyncLocalStorage<>(key);
            fromProperties.put(key, storage);
            declared.add(PropagatedStorage.ofString(storage, key).withMdcKey(key));
        }
        declaredBeans.orderedStream().forEach(declared::add);
        return new DeclaredStores(declared, fromProperties);
    }

    /**
     * Boot's executor and scheduler builders apply {@code TaskDecorator} beans. Only when the
     * application has none of its own: Boot 3.5 applies a decorator only if it is the only one,
     * so beside an application's decorator ours would silently switch both off there.
     */
    @Bean
    @ConditionalOnMissingBean(org.springframework.core.task.TaskDecorator.class)
    @ConditionalOnProperty(prefix = "asynclocal.executors", name = "enabled", matchIfMissing = true)
    AsyncLocalTaskDecorator asyncLocalTaskDecorator() {
        return new AsyncLocalTaskDecorator();
    }

    /** The application's own decorators also carry the context (on Boot 3.5 and 4 alike). */
    @Bean
    @ConditionalOnProperty(prefix = "asynclocal.executors", name = "enabled", matchIfMissing = true)
    static BeanPostProcessor asyncLocalTaskDecoratorComposer() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof org.springframework.core.task.TaskDecorator decorator
                        && !(bean instanceof AsyncLocalTaskDecorator)) {
                    return AsyncLocalTaskDecorator.around(decorator);
                }
                return bean;
            }
        };
    }

    @Bean
    @ConditionalOnClass(name = "org.springframework.http.client.ClientHttpRequestInterceptor")
    @ConditionalOnProperty(prefix = "asynclocal.http", name = "client", matchIfMissing = true)
    static BeanPostProcessor asyncLocalOutboundHttp(ObjectProvider<DeclaredStores> stores) {
        return new OutboundHttpPostProcessor(stores);
    }

    /** Reactor present: automatic context propagation, with the whole context as one accessor. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"reactor.core.publisher.Hooks", "io.micrometer.context.ContextRegistry"})
    @ConditionalOnProperty(prefix = "asynclocal.reactor", name = "enabled", matchIfMissing = true)
    static class ReactorConfiguration {
        @Bean
        ReactorContextPropagation asyncLocalReactorContextPropagation() {
            AsyncLocalContextAccessor.register();
            reactor.core.publisher.Hooks.enableAutomaticContextPropagation();
            return new ReactorContextPropagation();
        }
    }

    /** Marks that Reactor carries the asynclocal context (and lets a property remove it). */
    public static final class ReactorContextPropagation {
        ReactorContextPropagation() {
        }

        @Override
        public String toString() {
            return "Reactor automatic context propagation with " + AsyncLocalContextAccessor.KEY;
        }
    }
}
