package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * Netty's event loops (through Reactor Netty), started for the first time inside request A: the
 * loop threads come from a thread factory and are subclasses of {@code Thread}, so they inherit
 * nothing, and neither the server's handlers nor the client's callbacks, which run on them, ever
 * see request A — not for request B, not for work with no context. (Reactor does not carry
 * asynclocal's context by itself: that takes asynclocal-micrometer's accessors and Reactor's
 * automatic context propagation, see docs/micrometer.md; here nothing may arrive at all.)
 */
class NettyEventLoopIT {
    @Test
    void eventLoopsStartedInsideARequestNeverShowItToLaterWork() {
        List<String> handled = new CopyOnWriteArrayList<>();
        List<String> received = new CopyOnWriteArrayList<>();
        DisposableServer server = STORE.run("request-A", () -> HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> {
                    handled.add(String.valueOf(STORE.getStore()));
                    return response.sendString(Mono.just("ok"));
                })
                .bindNow(Duration.ofSeconds(Kit.TIMEOUT_SECONDS)));
        try {
            HttpClient client = STORE.run("request-A", () -> HttpClient.create().baseUrl("http://127.0.0.1:" + server.port()));
            STORE.run("request-A", () -> call(client, received));
            for (int i = 0; i < 20; i++) {
                STORE.run("request-B" + i, () -> call(client, received));
                call(client, received);
            }
            assertThat(handled).hasSize(41).containsOnly("null");
            assertThat(received).hasSize(41).containsOnly("ok:null");
        } finally {
            server.disposeNow(Duration.ofSeconds(Kit.TIMEOUT_SECONDS));
        }
    }

    private static void call(HttpClient client, List<String> received) {
        String body = client.get().uri("/").responseContent().aggregate().asString()
                .map(text -> text + ":" + STORE.getStore())
                .block(Duration.ofSeconds(Kit.TIMEOUT_SECONDS));
        received.add(body);
    }
}
