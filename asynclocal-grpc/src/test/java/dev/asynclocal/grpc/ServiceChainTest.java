package dev.asynclocal.grpc;

import static dev.asynclocal.grpc.Calls.asClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import dev.asynclocal.junit.DetectContextLeaks;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client calls A, A calls B from a task its handler handed to a pool ({@link Chain}). The request
 * id crosses both hops of metadata, and the client's deadline and cancellation cross A's hop to the
 * pool because gRPC's context lives in the asynclocal context (run with either storage override;
 * {@link ThreadLocalStorageTest} shows what is lost without).
 */
@DetectContextLeaks
class ServiceChainTest {
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
    void theIdCrossesBothHopsAndTheDeadlineCrossesTheHandlersHop() {
        String[] answer = new String[1];
        asClient("chain-1", () -> answer[0] = ClientCalls.blockingUnaryCall(chain.toA, Chain.CALL_A,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "chain-1"));

        assertThat(answer[0]).isEqualTo("A saw chain-1, B saw chain-1");
        Chain.Seen seen = chain.seenByB.get("chain-1");
        assertThat(seen.bId()).isEqualTo("chain-1");
        assertThat(seen.mdcId()).isEqualTo("chain-1");
        assertThat(seen.deadlineMillis()).as("B's deadline, from the client's through A's pool task")
                .isNotNull().isBetween(1L, 20_000L);
    }

    @Test
    void theClientsDeadlineCancelsBThroughTheHop() {
        Throwable failure = catchThrowable(() -> asClient("chain-2", () -> ClientCalls.blockingUnaryCall(chain.toA,
                Chain.CALL_A, CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.SECONDS), "chain-2;wait")));

        assertThat(Status.fromThrowable(failure).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        await().atMost(Duration.ofSeconds(30)).until(() -> chain.cancellationsOfB.containsKey("chain-2;wait"));
        assertThat(chain.seenByB.get("chain-2;wait").deadlineMillis()).isNotNull().isBetween(1L, 1_000L);
        // B's own deadline timer and the cancellation of A's outgoing call (A's context expired)
        // race; either way B stopped because of the client's deadline
        Throwable cause = chain.cancellationsOfB.get("chain-2;wait");
        assertThat(cause instanceof TimeoutException
                || Status.fromThrowable(cause).getCode() == Status.Code.DEADLINE_EXCEEDED
                || Status.fromThrowable(cause).getCode() == Status.Code.CANCELLED)
                .as("B cancelled: %s", cause).isTrue();
    }

    @Test
    void cancellingTheClientsCallCancelsBThroughTheHop() {
        ListenableFuture<?>[] call = new ListenableFuture<?>[1];
        asClient("chain-3", () -> call[0] = ClientCalls.futureUnaryCall(
                chain.toA.newCall(Chain.CALL_A, CallOptions.DEFAULT), "chain-3;wait"));
        await().atMost(Duration.ofSeconds(30)).until(() -> chain.seenByB.containsKey("chain-3;wait"));
        assertThat(chain.seenByB.get("chain-3;wait").deadlineMillis()).as("no deadline anywhere").isNull();

        call[0].cancel(true);

        await().atMost(Duration.ofSeconds(30)).until(() -> chain.cancellationsOfB.containsKey("chain-3;wait"));
        assertThat(Status.fromThrowable(chain.cancellationsOfB.get("chain-3;wait")).getCode())
                .isEqualTo(Status.Code.CANCELLED);
    }
}
