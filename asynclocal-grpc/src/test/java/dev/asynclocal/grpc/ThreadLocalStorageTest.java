package dev.asynclocal.grpc;

import static dev.asynclocal.grpc.Calls.asClient;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.junit.DetectContextLeaks;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With no storage override (gRPC's own thread-local storage; run by the build in a JVM without
 * either override jar), the interceptors still carry the stores through both hops of
 * {@link Chain}, but the deadline stays behind on A's handler thread: the call A makes from its pool
 * task has none, which is what the override jars are for.
 */
@DetectContextLeaks
class ThreadLocalStorageTest {
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
    void storesCrossBothHopsButTheDeadlineDoesNotCrossThePoolHop() {
        assertThat(GrpcContextStorage.isAsyncLocal()).isFalse();
        String[] answer = new String[1];
        asClient("plain-1", () -> answer[0] = ClientCalls.blockingUnaryCall(chain.toA, Chain.CALL_A,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "plain-1"));

        assertThat(answer[0]).isEqualTo("A saw plain-1, B saw plain-1");
        Chain.Seen seen = chain.seenByB.get("plain-1");
        assertThat(seen.bId()).isEqualTo("plain-1");
        assertThat(seen.mdcId()).isEqualTo("plain-1");
        assertThat(seen.deadlineMillis()).isNull();
    }
}
