package dev.asynclocal.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.CallableOp;
import dev.asynclocal.Snapshot;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Frames and snapshots are immutable and handed between threads, often through a plain field or
 * a queue the library does not control. Here one thread takes a snapshot inside a {@code run}
 * and publishes it through a plain (non-volatile) field; another thread that finds it runs it and
 * reads the store. Final fields make an immutable object safe under such a data race: the
 * reader sees the captured store, fully built, or no snapshot yet; never an empty or torn frame.
 */
@JCStressTest
@Outcome(id = "0", expect = ACCEPTABLE, desc = "no snapshot published yet")
@Outcome(id = "1", expect = ACCEPTABLE, desc = "snapshot seen with its store")
@Outcome(expect = FORBIDDEN, desc = "snapshot seen without its store, or with a half-built one")
@State
public class RacySnapshotPublication {
    static final class Box {
        final int value;

        Box(int value) {
            this.value = value;
        }
    }

    private final AsyncLocalStorage<Box> storage = new AsyncLocalStorage<>("published");
    /** Deliberately neither volatile nor final: the race under test. */
    private Snapshot shared;

    @Actor
    public void publish() {
        CallableOp<Snapshot, RuntimeException> take = AsyncLocalStorage::snapshot;
        shared = storage.run(new Box(42), take);
    }

    @Actor
    public void consume(I_Result r) {
        Snapshot snapshot = shared;
        if (snapshot == null) {
            r.r1 = 0;
            return;
        }
        CallableOp<Box, RuntimeException> read = storage::getStore;
        Box seen = snapshot.run(read);
        r.r1 = seen != null && seen.value == 42 ? 1 : -1;
    }
}
