package dev.asynclocal.spring.boot;

import dev.asynclocal.Snapshot;
import dev.asynclocal.micrometer.AsyncLocalContextAccessor;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;

/**
 * Gives every {@code RestClient.Builder}, {@code RestTemplate} and {@code WebClient.Builder} bean
 * (Boot's builders are prototype beans, so every client built from them) the outbound headers of
 * the calling code's context. Framework types only: the same code serves Boot 3.5 and 4, whose
 * customizer interfaces live in different packages.
 */
final class OutboundHttpPostProcessor implements BeanPostProcessor {
    private static final boolean REST_CLIENT = present("org.springframework.web.client.RestClient");
    private static final boolean REST_TEMPLATE = present("org.springframework.web.client.RestTemplate");
    private static final boolean WEB_CLIENT = present("org.springframework.web.reactive.function.client.WebClient");

    private final ObjectProvider<DeclaredStores> stores;

    OutboundHttpPostProcessor(ObjectProvider<DeclaredStores> stores) {
        this.stores = stores;
    }

    private static boolean present(String name) {
        return ClassUtils.isPresent(name, OutboundHttpPostProcessor.class.getClassLoader());
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (REST_CLIENT && bean instanceof org.springframework.web.client.RestClient.Builder) {
            ((org.springframework.web.client.RestClient.Builder) bean).requestInterceptor(interceptor());
        } else if (REST_TEMPLATE && bean instanceof org.springframework.web.client.RestTemplate) {
            ((org.springframework.web.client.RestTemplate) bean).getInterceptors().add(interceptor());
        } else if (WEB_CLIENT && bean instanceof org.springframework.web.reactive.function.client.WebClient.Builder) {
            WebClients.addFilter((org.springframework.web.reactive.function.client.WebClient.Builder) bean, propagation());
        }
        return bean;
    }

    private OutboundBaggage interceptor() {
        return new OutboundBaggage(propagation());
    }

    private BaggagePropagation propagation() {
        return stores.getObject().propagation();
    }

    /** Loaded only with WebFlux on the class path. */
    static final class WebClients {
        private WebClients() {
        }

        static void addFilter(org.springframework.web.reactive.function.client.WebClient.Builder builder,
                BaggagePropagation propagation) {
            builder.filter((request, next) -> reactor.core.publisher.Mono.deferContextual(reactorContext -> {
                // The headers of the subscriber's context: the whole asynclocal context travels in
                // the Reactor context under the accessor's key; outside Reactor, the thread's.
                Snapshot subscriber = reactorContext.getOrDefault(AsyncLocalContextAccessor.KEY, null);
                Map<String, String> headers = subscriber != null
                        ? subscriber.<Map<String, String>, RuntimeException>run(propagation::headers)
                        : propagation.headers();
                if (headers.isEmpty()) {
                    return next.exchange(request);
                }
                return next.exchange(org.springframework.web.reactive.function.client.ClientRequest.from(request)
                        .headers(h -> {
                            for (String name : BaggagePropagation.headerNames()) {
                                SpringHeaders.remove(h, name);
                            }
                            headers.forEach(h::set);
                        })
                        .build());
            }));
        }
    }
}
