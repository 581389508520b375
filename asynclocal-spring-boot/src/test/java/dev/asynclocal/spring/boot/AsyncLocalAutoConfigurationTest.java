package dev.asynclocal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.server.WebFilter;

/** Which beans each part contributes, what turns it off, and how bad configuration fails. */
class AsyncLocalAutoConfigurationTest {
    private static final AutoConfigurations STARTER = AutoConfigurations.of(AsyncLocalAutoConfiguration.class,
            AsyncLocalServletAutoConfiguration.class, AsyncLocalWebFluxAutoConfiguration.class,
            AsyncLocalEndpointAutoConfiguration.class);

    private final ApplicationContextRunner plain = new ApplicationContextRunner().withConfiguration(STARTER);

    @Test
    void everyPartIsOnByDefault() {
        plain.withPropertyValues("asynclocal.propagated=tenant,region").run(context -> {
            assertThat(context).hasNotFailed()
                    .hasSingleBean(DeclaredStores.class)
                    .hasSingleBean(AsyncLocalTaskDecorator.class)
                    .hasSingleBean(AsyncLocalAutoConfiguration.ReactorContextPropagation.class)
                    .doesNotHaveBean(FilterRegistrationBean.class)
                    .doesNotHaveBean(WebFilter.class);
            DeclaredStores stores = context.getBean(DeclaredStores.class);
            assertThat(stores.all()).containsOnlyKeys("requestId", "tenant", "region");
            assertThat(stores.storage("tenant").name()).isEqualTo("tenant");
        });
    }

    @Test
    void eachPartCanBeSwitchedOff() {
        plain.withPropertyValues("asynclocal.executors.enabled=false", "asynclocal.reactor.enabled=false",
                "asynclocal.request-id.propagated=false").run(context -> {
                    assertThat(context).hasNotFailed()
                            .doesNotHaveBean(AsyncLocalTaskDecorator.class)
                            .doesNotHaveBean(AsyncLocalAutoConfiguration.ReactorContextPropagation.class);
                    assertThat(context.getBean(DeclaredStores.class).all()).isEmpty();
                });
    }

    @Test
    void withoutReactorTheReactorPartStaysOff() {
        plain.withClassLoader(new FilteredClassLoader("reactor.core")).run(context -> assertThat(context)
                .hasNotFailed()
                .hasSingleBean(DeclaredStores.class)
                .doesNotHaveBean(AsyncLocalAutoConfiguration.ReactorContextPropagation.class));
    }

    @Test
    void applicationDeclaredStoresArePropagatedToo() {
        plain.withUserConfiguration(UserStores.class).run(context -> {
            assertThat(context.getBean(DeclaredStores.class).all()).containsOnlyKeys("requestId", "userId");
        });
    }

    @Test
    void twoStoresUnderOneBaggageKeyFailWithAClearMessage() {
        plain.withPropertyValues("asynclocal.propagated=userId").withUserConfiguration(UserStores.class)
                .run(context -> assertThat(context).getFailure()
                        .rootCause().isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("two stores are declared with the baggage key 'userId'"));
        plain.withPropertyValues("asynclocal.propagated=requestId")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("baggage key 'requestId'"));
    }

    @Test
    void aKeyThatIsNotAnHttpTokenFailsAtStartUp() {
        plain.withPropertyValues("asynclocal.propagated=bad key")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("bad key"));
    }

    @Test
    void anUndeclaredKeyIsAClearError() {
        plain.run(context -> {
            DeclaredStores stores = context.getBean(DeclaredStores.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stores.storage("tenant"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tenant");
        });
    }

    @Test
    void bootsTaskExecutorCarriesTheSubmittersContext() {
        plain.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class)).run(context -> {
            ThreadPoolTaskExecutor executor = context.getBean("applicationTaskExecutor", ThreadPoolTaskExecutor.class);
            AsyncLocalStorage<String> store = new AsyncLocalStorage<>("probe");
            AtomicReference<String> seen = new AtomicReference<>("unset");
            store.run("submitter", () -> executor.submit(() -> seen.set(store.getStore()))).get();
            assertThat(seen).hasValue("submitter");
            executor.submit(() -> seen.set(store.getStore())).get();
            assertThat(seen).as("a task submitted outside any context").hasValue(null);
        });
    }

    @Test
    void bootsVirtualThreadExecutorCarriesTheSubmittersContext() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads: JDK 21+");
        plain.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
                .withPropertyValues("spring.threads.virtual.enabled=true").run(context -> {
                    org.springframework.core.task.SimpleAsyncTaskExecutor executor = context.getBean(
                            "applicationTaskExecutor", org.springframework.core.task.SimpleAsyncTaskExecutor.class);
                    AsyncLocalStorage<String> store = new AsyncLocalStorage<>("probe");
                    AtomicReference<String> seen = new AtomicReference<>("unset");
                    AtomicReference<Boolean> virtual = new AtomicReference<>();
                    store.run("submitter", () -> executor.submit(() -> {
                        seen.set(store.getStore());
                        try {
                            virtual.set((Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread()));
                        } catch (ReflectiveOperationException e) {
                            throw new IllegalStateException(e);
                        }
                    })).get();
                    assertThat(seen).hasValue("submitter");
                    assertThat(virtual).hasValue(true);
                });
    }

    @Test
    void bootsTaskSchedulerCarriesTheSchedulersContext() {
        plain.withConfiguration(AutoConfigurations.of(
                org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration.class))
                .withUserConfiguration(SchedulingOn.class).run(context -> {
                    org.springframework.scheduling.TaskScheduler scheduler =
                            context.getBean(org.springframework.scheduling.TaskScheduler.class);
                    AsyncLocalStorage<String> store = new AsyncLocalStorage<>("probe");
                    java.util.concurrent.CompletableFuture<String> seen = new java.util.concurrent.CompletableFuture<>();
                    store.run("scheduler", () -> scheduler.schedule(() -> seen.complete(store.getStore()),
                            java.time.Instant.now().plusMillis(5)));
                    assertThat(seen.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("scheduler");
                    java.util.concurrent.CompletableFuture<String> outside = new java.util.concurrent.CompletableFuture<>();
                    scheduler.schedule(() -> outside.complete(String.valueOf(store.getStore())), java.time.Instant.now());
                    assertThat(outside.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("null");
                });
    }

    @Configuration(proxyBeanMethods = false)
    @org.springframework.scheduling.annotation.EnableScheduling
    static class SchedulingOn {
    }

    /**
     * An application's own {@code TaskDecorator} keeps working and carries the context: the starter
     * wraps it rather than adding a second decorator (Boot 3.5 applies none when there are two).
     */
    @Test
    void aUsersOwnTaskDecoratorIsComposedWithOurs() {
        plain.withUserConfiguration(OwnDecorator.class)
                .withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class)).run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(TaskDecorator.class);
                    assertThat(context.getBean(TaskDecorator.class)).isInstanceOf(AsyncLocalTaskDecorator.class);
                    ThreadPoolTaskExecutor executor =
                            context.getBean("applicationTaskExecutor", ThreadPoolTaskExecutor.class);
                    AsyncLocalStorage<String> store = new AsyncLocalStorage<>("probe");
                    AtomicReference<String> seen = new AtomicReference<>("unset");
                    OwnDecorator.DECORATED.set(0);
                    store.run("submitter", () -> executor.submit(() -> seen.set(store.getStore()))).get();
                    assertThat(seen).hasValue("submitter");
                    assertThat(OwnDecorator.DECORATED).hasValue(1);
                });
    }

    @Test
    void servletApplicationsGetBothFiltersBeforeSpringSecurity() {
        new WebApplicationContextRunner().withConfiguration(STARTER).run(context -> {
            @SuppressWarnings("rawtypes")
            java.util.Map<String, FilterRegistrationBean> filters = context.getBeansOfType(FilterRegistrationBean.class);
            assertThat(filters).hasSize(2);
            assertThat(filters.values()).extracting(FilterRegistrationBean::getOrder)
                    .containsExactlyInAnyOrder(-110, -109)
                    .allSatisfy(order -> assertThat(order).isLessThan(-100));
            assertThat(filters.values()).allSatisfy(filter -> assertThat(filter.isAsyncSupported()).isTrue());
            assertThat(context).doesNotHaveBean(WebFilter.class);
        });
        new WebApplicationContextRunner().withConfiguration(STARTER)
                .withPropertyValues("asynclocal.request-id.enabled=false")
                .run(context -> assertThat(context.getBeansOfType(FilterRegistrationBean.class)).hasSize(1));
    }

    @Test
    void reactiveApplicationsGetTheWebFilter() {
        new ReactiveWebApplicationContextRunner().withConfiguration(STARTER).run(context -> assertThat(context)
                .hasNotFailed()
                .hasSingleBean(AsyncLocalWebFilter.class)
                .doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Test
    void theActuatorEndpointIsThereWhenExposed() {
        WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(STARTER)
                .withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
                        WebEndpointAutoConfiguration.class));
        web.withPropertyValues("management.endpoints.web.exposure.include=asynclocal")
                .run(context -> assertThat(context).hasSingleBean(AsyncLocalEndpoint.class));
        web.run(context -> assertThat(context).doesNotHaveBean(AsyncLocalEndpoint.class));
        new WebApplicationContextRunner().withConfiguration(STARTER)
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(AsyncLocalEndpoint.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserStores {
        @Bean
        PropagatedStorage<String> userId() {
            return PropagatedStorage.ofString(new AsyncLocalStorage<>("userId"), "userId");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnDecorator {
        static final java.util.concurrent.atomic.AtomicInteger DECORATED = new java.util.concurrent.atomic.AtomicInteger();

        @Bean
        TaskDecorator mine() {
            return runnable -> {
                DECORATED.incrementAndGet();
                return runnable;
            };
        }
    }
}
