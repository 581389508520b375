package dev.asynclocal.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncResource;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Hook registry: {@code enable()}/{@code disable()} racing with a dispatch. Hook A is enabled
 * first; one thread enables hook B and then disables A, while another creates a resource (an
 * {@code init} dispatch). The dispatch must see one of the sets the registry actually held, in
 * order {A}, {A, B}, {B}: so at least one of the two hooks gets the {@code init}. Neither would
 * mean the dispatch saw a torn or stale-and-new mixture of the copy-on-write array.
 */
@JCStressTest
@Outcome(id = "true, false", expect = ACCEPTABLE, desc = "dispatch saw {A}")
@Outcome(id = "true, true", expect = ACCEPTABLE_INTERESTING, desc = "dispatch saw {A, B}")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "dispatch saw {B}")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "dispatch saw no hook: a set the registry never held")
@State
public class HookSwapDuringDispatch {
    private static final AtomicLong TYPES = new AtomicLong();

    private final String type = "HookSwap-" + TYPES.incrementAndGet();
    private volatile boolean seenByA;
    private volatile boolean seenByB;
    private final AsyncHook a = AsyncHooks.createHook(new AsyncHook.Callbacks() {
        @Override
        public void init(long asyncId, String resourceType, long triggerAsyncId, Object resource) {
            if (resourceType.equals(type)) {
                seenByA = true;
            }
        }
    });
    private final AsyncHook b = AsyncHooks.createHook(new AsyncHook.Callbacks() {
        @Override
        public void init(long asyncId, String resourceType, long triggerAsyncId, Object resource) {
            if (resourceType.equals(type)) {
                seenByB = true;
            }
        }
    });

    public HookSwapDuringDispatch() {
        a.enable();
    }

    @Actor
    public void swap() {
        b.enable();
        a.disable();
    }

    @Actor
    public void dispatch() {
        new AsyncResource(type, -1, true);
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
        a.disable();
        b.disable();
        r.r1 = seenByA;
        r.r2 = seenByB;
    }
}
