package dev.asynclocal.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncResource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The destroy queue: two threads call {@code emitDestroy()} on the same resource at the same
 * time. Exactly one call succeeds and the other throws {@link IllegalStateException}, and the
 * hooks receive exactly one {@code destroy} for it. The arbiter knows every destroy has been
 * delivered once a marker resource destroyed after the race comes through, since one thread
 * delivers the queue in order.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "one IllegalStateException, one destroy delivered")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "the marker's destroy never came: the queue stalled")
@Outcome(expect = FORBIDDEN, desc = "a destroy lost or doubled, or the wrong number of exceptions")
@State
public class EmitDestroyRace {
    /** Destroys delivered, by async id; one hook for all instances of the test. */
    private static final ConcurrentHashMap<Long, AtomicInteger> DESTROYED = new ConcurrentHashMap<>();

    static {
        AsyncHooks.createHook(new AsyncHook.Callbacks() {
            @Override
            public void destroy(long asyncId) {
                DESTROYED.computeIfAbsent(asyncId, id -> new AtomicInteger()).incrementAndGet();
            }
        }).enable();
    }

    private final AsyncResource resource = new AsyncResource("DestroyRace", -1, true);
    private volatile boolean firstThrew;
    private volatile boolean secondThrew;

    @Actor
    public void destroyFirst() {
        try {
            resource.emitDestroy();
        } catch (IllegalStateException e) {
            firstThrew = true;
        }
    }

    @Actor
    public void destroySecond() {
        try {
            resource.emitDestroy();
        } catch (IllegalStateException e) {
            secondThrew = true;
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = (firstThrew ? 1 : 0) + (secondThrew ? 1 : 0);
        long marker = new AsyncResource("DestroyMarker", -1, true).emitDestroy().asyncId();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!DESTROYED.containsKey(marker)) {
            if (System.nanoTime() > deadline) {
                r.r1 = -1;
                return;
            }
            LockSupport.parkNanos(10_000);
        }
        DESTROYED.remove(marker);
        AtomicInteger count = DESTROYED.remove(resource.asyncId());
        r.r2 = count == null ? 0 : count.get();
    }
}
