package dev.asynclocal.servers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs on a class path without SLF4J: the filter works, and the MDC is simply left out. */
class WithoutSlf4jTest {

    @Test
    void theFilterWorksWithoutSlf4j() throws Exception {
        assertThatThrownBy(() -> Class.forName("org.slf4j.MDC")).isInstanceOf(ClassNotFoundException.class);
        assertThat(MdcBridge.SLF4J_PRESENT).isFalse();
        assertThat(RequestIdConfig.defaults().activeMdcKey()).isNull();

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = String.valueOf(RequestIds.current()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }).getFilters().add(HttpServerRequestIdFilter.create());
        server.start();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
                            .header("X-Request-Id", "no-slf4j-1").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("no-slf4j-1");
            assertThat(response.headers().firstValue("X-Request-Id")).hasValue("no-slf4j-1");
        } finally {
            server.stop(0);
        }
    }
}
