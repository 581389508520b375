package dev.asynclocal.spring.boot;

import dev.asynclocal.opentelemetry.ServletPropagationFilter;
import dev.asynclocal.servers.RequestIdConfig;
import dev.asynclocal.servers.ServletRequestIdFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Servlet applications (Spring MVC on Tomcat, Jetty or Undertow): each request runs in a fresh
 * context built from its W3C {@code baggage} and {@code traceparent}, with its request id, for the
 * whole request, its asynchronous parts ({@code DeferredResult}, {@code Callable},
 * {@code CompletableFuture} and {@code StreamingResponseBody} return values, whose work Spring
 * runs on Boot's task executor and re-dispatches through the filters) included. The filters run
 * before Spring Security ({@code -100}) and before logging filters.
 */
@AutoConfiguration(after = AsyncLocalAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, FilterRegistrationBean.class})
public class AsyncLocalServletAutoConfiguration {
    /** Before Spring Security's filter chain ({@code -100}) and Boot's request-context filter ({@code -105}). */
    public static final int BAGGAGE_FILTER_ORDER = -110;
    public static final int REQUEST_ID_FILTER_ORDER = -109;

    @Bean
    FilterRegistrationBean<ServletPropagationFilter> asyncLocalBaggageFilter(DeclaredStores stores) {
        FilterRegistrationBean<ServletPropagationFilter> registration =
                new FilterRegistrationBean<>(new ServletPropagationFilter(stores.propagation()));
        registration.setOrder(BAGGAGE_FILTER_ORDER);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setAsyncSupported(true);
        return registration;
    }

    @Bean
    @ConditionalOnProperty(prefix = "asynclocal.request-id", name = "enabled", matchIfMissing = true)
    FilterRegistrationBean<ServletRequestIdFilter> asyncLocalRequestIdFilter(AsyncLocalProperties properties) {
        AsyncLocalProperties.RequestId requestId = properties.getRequestId();
        RequestIdConfig config = RequestIdConfig.defaults()
                .withHeader(requestId.getHeader())
                .withMdcKey(requestId.getMdcKey())
                .withIdFromContext(requestId.isPropagated());
        FilterRegistrationBean<ServletRequestIdFilter> registration =
                new FilterRegistrationBean<>(new ServletRequestIdFilter(config));
        registration.setOrder(REQUEST_ID_FILTER_ORDER);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setAsyncSupported(true);
        return registration;
    }
}
