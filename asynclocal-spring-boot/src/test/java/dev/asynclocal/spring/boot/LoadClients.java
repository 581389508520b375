package dev.asynclocal.spring.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Concurrent clients that each send their own requests, with an id and a tenant of their own,
 * and collect every answer that is not exactly what its request should see.
 */
final class LoadClients {
    /** One request: its path, id and tenant ({@code null} for none), and the body it must get. */
    record Request(String path, String id, String tenant, String want) {
    }

    /** Sends a request and returns the body, or the exception's text. */
    interface Client {
        String send(Request request) throws Exception;
    }

    /** Builds the request that client {@code client} sends {@code index}-th. */
    interface Plan {
        Request request(int client, int index);
    }

    private LoadClients() {
    }

    /**
     * Runs {@code clients} threads of {@code requestsPerClient} requests each.
     *
     * @return one line per wrong answer: path, id and what came back
     */
    static List<String> run(int clients, int requestsPerClient, Plan plan, Client client) throws Exception {
        ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int clientIndex = c;
                futures.add(threads.submit(() -> {
                    for (int i = 0; i < requestsPerClient; i++) {
                        Request request = plan.request(clientIndex, i);
                        String body;
                        try {
                            body = client.send(request);
                        } catch (Exception e) {
                            body = e.toString();
                        }
                        if (!request.want().equals(body)) {
                            mismatches.add(request.path() + " " + request.id() + ": " + body);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
        return new ArrayList<>(mismatches);
    }
}
