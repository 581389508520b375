package dev.asynclocal.examples.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's built-in client: sends requests to the demo server from several threads at once and
 * waits for every answer. It runs outside any asynclocal context; it only sees what comes back.
 */
public final class DemoClient {
    private DemoClient() {
    }

    /**
     * One answer.
     *
     * @param tag the {@code tag} the request carried, or {@code null}
     * @param status the HTTP status
     * @param requestId the {@code X-Request-Id} header of the answer, or {@code null}
     * @param body the body
     */
    public record Reply(String tag, int status, String requestId, String body) {
    }

    /**
     * Sends {@code requests} GET requests to {@code uri} from {@code clients} threads (each
     * thread sends one, waits for the answer, then takes the next) and returns every answer, in
     * no particular order.
     *
     * @param uri the server
     * @param requests how many requests in all
     * @param clients how many at once
     * @param tagged whether request number {@code i} carries {@code ?tag=i}
     * @param timeout how long to wait for all answers
     * @return the answers
     * @throws IOException if a request fails
     * @throws InterruptedException if interrupted while waiting
     * @throws TimeoutException if not all answers came within {@code timeout}
     */
    public static List<Reply> send(URI uri, int requests, int clients, boolean tagged, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        AtomicInteger next = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(Math.max(1, clients), task -> {
            Thread thread = new Thread(task, "client");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<List<Reply>>> shares = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                shares.add(threads.submit(() -> {
                    List<Reply> mine = new ArrayList<>();
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        String tag = tagged ? Integer.toString(i) : null;
                        HttpRequest request = HttpRequest.newBuilder(tag == null ? uri : uri.resolve("/?tag=" + tag))
                                .timeout(timeout)
                                .GET()
                                .build();
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        mine.add(new Reply(tag, response.statusCode(),
                                response.headers().firstValue("X-Request-Id").orElse(null), response.body()));
                    }
                    return mine;
                }));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Reply> all = new ArrayList<>(requests);
            for (Future<List<Reply>> share : shares) {
                try {
                    all.addAll(share.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (ExecutionException e) {
                    throw new IOException("a request failed: " + e.getCause(), e.getCause());
                }
            }
            return all;
        } finally {
            threads.shutdownNow();
        }
    }
}
