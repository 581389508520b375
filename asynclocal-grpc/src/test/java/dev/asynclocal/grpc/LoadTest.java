package dev.asynclocal.grpc;

import static dev.asynclocal.grpc.Calls.asClient;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.asynclocal.junit.DetectContextLeaks;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 16 concurrent clients make 1,000 calls each through {@link Chain} (client, A, a pool hop in A, B;
 * Netty on loopback): every line A and B log carries, in its MDC, the id of the request it was
 * logged for (the id is also in the line's text, put there by the code, not the context), no line is
 * missing, and every client callback saw its own caller's id. Half the calls are blocking, half
 * future calls whose callback runs on gRPC's thread.
 */
@DetectContextLeaks
class LoadTest {
    static final int CLIENTS = Integer.getInteger("load.clients", 16);
    static final int CALLS = Integer.getInteger("load.calls", 1_000);
    private static final Pattern LINE = Pattern.compile("(A received|A answered|B received) (c\\d+-\\d+)");

    private static Chain chain;

    @BeforeAll
    static void start() throws Exception {
        chain = new Chain();
    }

    @AfterAll
    static void stop() throws Exception {
        chain.close();
    }

    @Test
    void everyServerLogLineCarriesItsOwnCallersId() throws Exception {
        Queue<String> clientMismatches = new ConcurrentLinkedQueue<>();
        List<LogLines.Line> lines;
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, Transport.named("client"));
        try (LogLines log = new LogLines()) {
            CountDownLatch ready = new CountDownLatch(CLIENTS);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    ready.countDown();
                    ready.await();
                    for (int n = 0; n < CALLS; n++) {
                        String id = "c" + client + "-" + n;
                        call(id, n % 2 == 0, clientMismatches);
                    }
                    return null;
                }));
            }
            for (Future<?> client : done) {
                client.get(5, TimeUnit.MINUTES);
            }
            lines = log.lines();
        } finally {
            clients.shutdownNow();
            assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(clientMismatches).as("client callbacks that saw another id").isEmpty();
        int mismatches = 0;
        for (LogLines.Line line : lines) {
            Matcher m = LINE.matcher(line.message());
            assertThat(m.matches()).as("%s", line).isTrue();
            if (!m.group(2).equals(line.mdcId())) {
                mismatches++;
            }
        }
        assertThat(mismatches).as("log lines whose MDC id is not their request's").isZero();
        Map<String, Long> perRequest = lines.stream()
                .collect(Collectors.groupingBy(line -> idIn(line.message()), Collectors.counting()));
        assertThat(perRequest).hasSize(CLIENTS * CALLS);
        assertThat(perRequest.values()).as("three lines a request: A received, B received, A answered")
                .allMatch(count -> count == 3);
        assertThat(lines.stream().map(LogLines.Line::thread).distinct().count())
                .as("lines from event loops, gRPC's executor and the hop pool").isGreaterThan(2);
    }

    private static void call(String id, boolean blocking, Queue<String> clientMismatches) throws Exception {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.MINUTES);
        if (blocking) {
            String[] answer = new String[1];
            asClient(id, () -> answer[0] = ClientCalls.blockingUnaryCall(chain.toA, Chain.CALL_A, options, id));
            check(id, answer[0], clientMismatches);
            return;
        }
        CountDownLatch called = new CountDownLatch(1);
        ListenableFuture<?>[] future = new ListenableFuture<?>[1];
        asClient(id, () -> {
            ListenableFuture<String> answer = ClientCalls.futureUnaryCall(chain.toA.newCall(Chain.CALL_A, options), id);
            future[0] = answer;
            answer.addListener(() -> {
                if (!id.equals(Stores.CLIENT_ID.getStore())) {
                    clientMismatches.add(id + " saw " + Stores.CLIENT_ID.getStore());
                }
                called.countDown();
            }, MoreExecutors.directExecutor());
        });
        check(id, (String) future[0].get(1, TimeUnit.MINUTES), clientMismatches);
        assertThat(called.await(1, TimeUnit.MINUTES)).isTrue();
    }

    private static void check(String id, String answer, Queue<String> clientMismatches) {
        if (!answer.equals("A saw " + id + ", B saw " + id)) {
            clientMismatches.add(id + " got " + answer);
        }
    }

    private static String idIn(String message) {
        Matcher m = LINE.matcher(message);
        return m.matches() ? m.group(2) : message;
    }

}
