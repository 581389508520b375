package dev.asynclocal.examples.spring;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import dev.asynclocal.slf4j.AsyncLocalMdc;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * A Spring Boot MVC application that uses the asynclocal starter and nothing else of asynclocal's
 * set-up: the starter gives each request an id (the {@code X-Request-Id} header, else a new one),
 * puts it in the MDC, and carries it, with the declared stores, through {@code @Async} methods,
 * Boot's executor and outbound {@code RestClient} calls. {@link OrderController} shows each.
 *
 * <pre>
 * mvn -q install -DskipTests                                   # once, from the repository root
 * mvn -q -pl asynclocal-spring-boot-example spring-boot:run
 * curl -s -H 'baggage: tenant=acme,userId=u-7' localhost:8080/orders/42
 * </pre>
 */
@SpringBootApplication
@EnableAsync
public class ExampleApplication {

    /** A typed store of the application's own, declared as a bean so that it travels as baggage. */
    public static final AsyncLocalStorage<String> USER_ID = new AsyncLocalStorage<>("userId");

    /**
     * Starts the application.
     *
     * @param args Spring arguments, e.g. {@code --server.port=9090}
     */
    public static void main(String[] args) {
        // snippet:start main
        AsyncLocalMdc.install();        // the MDC lives in the context: before the first logger
        SpringApplication.run(ExampleApplication.class, args);
        // snippet:end main
    }

    // snippet:start propagated-bean
    @Bean
    PropagatedStorage<String> userId() {
        return PropagatedStorage.ofString(USER_ID, "userId");
    }
    // snippet:end propagated-bean
}
