package dev.asynclocal.spring.boot.webfluxapp;

import dev.asynclocal.servers.RequestIds;
import dev.asynclocal.spring.boot.DeclaredStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** A WebFlux application on Reactor Netty: handlers hop threads the way reactive code does. */
@SpringBootApplication
public class WebFluxApplication {
    /** Lines written on every hop of {@code /hops}, each with the id its request should have. */
    public static final Logger HOPS = LoggerFactory.getLogger("webfluxapp.hops");

    public static String seen(DeclaredStores stores) {
        return RequestIds.current() + "|" + MDC.get("requestId") + "|" + stores.storage("tenant").getStore();
    }

    @RestController
    public static class Endpoints {
        private final DeclaredStores stores;
        private final WebClient client;
        private final org.springframework.core.env.Environment environment;

        Endpoints(DeclaredStores stores, WebClient.Builder clients, org.springframework.core.env.Environment environment) {
            this.stores = stores;
            this.client = clients.build();
            this.environment = environment;
        }

        @GetMapping("/seen")
        public Mono<String> seen() {
            return Mono.fromCallable(() -> WebFluxApplication.seen(stores));
        }

        /**
         * Subscribed on boundedElastic ({@code subscribeOn}), after a timer on the parallel
         * scheduler ({@code delayElement}), and after {@code publishOn(single)}. Each hop, and the
         * handler itself, writes a line naming the id its request was sent with.
         */
        @GetMapping("/hops")
        public Mono<String> hops(@RequestHeader(name = "X-Request-Id", required = false) String expectedId) {
            HOPS.info("handler of {}", expectedId);
            return Mono.fromCallable(() -> {
                        HOPS.info("subscribeOn(boundedElastic) of {}", expectedId);
                        return WebFluxApplication.seen(stores);
                    })
                    .subscribeOn(Schedulers.boundedElastic())
                    .delayElement(java.time.Duration.ofMillis(1))
                    .map(before -> {
                        HOPS.info("after delayElement of {}", expectedId);
                        return before + "," + WebFluxApplication.seen(stores);
                    })
                    .publishOn(Schedulers.single())
                    .map(before -> {
                        HOPS.info("publishOn(single) of {}", expectedId);
                        return before + "," + WebFluxApplication.seen(stores);
                    });
        }

        /** Set for the rest of this request only. */
        @GetMapping("/enter")
        public Mono<String> enter() {
            stores.storage("tenant").enterWith("entered");
            return Mono.fromCallable(() -> WebFluxApplication.seen(stores));
        }

        /** Calls this application back with WebClient: the id and tenant travel as baggage. */
        @GetMapping("/call")
        public Mono<String> call() {
            String caller = WebFluxApplication.seen(stores);
            return client.get()
                    .uri("http://localhost:" + environment.getProperty("local.server.port") + "/seen")
                    .retrieve()
                    .bodyToMono(String.class)
                    .map(callee -> caller + ">" + callee);
        }
    }
}
