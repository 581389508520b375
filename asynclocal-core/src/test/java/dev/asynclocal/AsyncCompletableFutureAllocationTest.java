package dev.asynclocal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The hot path of {@link AsyncCompletableFuture} with no hook enabled: a stage registered in a
 * context and run in another costs, beyond what {@code CompletableFuture} itself allocates, one
 * wrapper when it is registered and nothing when it runs. Bytes are counted by the JVM per thread,
 * against the same operations on a plain {@code CompletableFuture}.
 */
class AsyncCompletableFutureAllocationTest {
    private static final int OPS = 20_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final AsyncLocalStorage<String> STORE = new AsyncLocalStorage<>("allocation");
    private static final Function<Integer, Integer> STAGE = v -> v + 1;

    private final CompletableFuture<Integer>[] heads = newArray();
    private final CompletableFuture<?>[] stages = new CompletableFuture<?>[OPS];

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static CompletableFuture<Integer>[] newArray() {
        return new CompletableFuture[OPS];
    }

    @Test
    void aStageCostsOneWrapperToRegisterAndNothingToRun() {
        double plainRegister = bytesPerOp(() -> { }, () -> register(CompletableFuture::new));
        double plainRun = bytesPerOp(() -> register(CompletableFuture::new), this::complete);
        double asyncRegister = bytesPerOp(() -> { }, () -> register(AsyncCompletableFuture::new));
        double asyncRun = bytesPerOp(() -> register(AsyncCompletableFuture::new), this::complete);
        System.out.printf("a thenApply stage, bytes: registered %.1f plain, %.1f propagating; run %.1f plain, %.1f propagating%n",
                plainRegister, asyncRegister, plainRun, asyncRun);
        // One wrapper (header, frame, resource, callback) is 24 bytes with compressed pointers and
        // 32 without; a second object per stage would add at least 16 more.
        assertThat(asyncRegister - plainRegister).as("bytes per stage registered").isLessThanOrEqualTo(32);
        assertThat(asyncRun - plainRun).as("bytes per stage run").isLessThan(1);
    }

    /** New heads, each with a {@code thenApply} stage registered in context "registered". */
    private void register(Supplier<CompletableFuture<Integer>> newHead) {
        STORE.run("registered", () -> {
            for (int i = 0; i < OPS; i++) {
                heads[i] = newHead.get();
                stages[i] = heads[i].thenApply(STAGE);
            }
        });
    }

    /** Completes the heads in context "completer", which runs their stages there. */
    private void complete() {
        STORE.run("completer", () -> {
            for (int i = 0; i < OPS; i++) {
                heads[i].complete(1); // a cached Integer, and so is the stage's result
            }
        });
    }

    /**
     * Bytes per operation of {@code measured}, each round prepared by {@code prepare} outside the
     * count; the least of several rounds after warm-up, as a stray allocation (the JIT, a GC's
     * bookkeeping) only adds bytes.
     */
    private static double bytesPerOp(Runnable prepare, Runnable measured) {
        long id = Thread.currentThread().getId();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 8; round++) {
            prepare.run();
            long before = THREADS.getThreadAllocatedBytes(id);
            measured.run();
            long used = THREADS.getThreadAllocatedBytes(id) - before;
            if (round >= 3) {
                best = Math.min(best, used);
            }
        }
        return best / (double) OPS;
    }
}
