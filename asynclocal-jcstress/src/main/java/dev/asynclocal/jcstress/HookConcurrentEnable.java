package dev.asynclocal.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asynclocal.AsyncHook;
import dev.asynclocal.AsyncHooks;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Hook registry: two threads enable two different hooks at the same time. Enabling copies the
 * array of enabled hooks and publishes the copy; two unsynchronized copies would each lack the
 * other's hook (a lost update). Both hooks must be enabled afterwards.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "both hooks registered")
@Outcome(expect = FORBIDDEN, desc = "an enable() was lost")
@State
public class HookConcurrentEnable {
    private final AsyncHook a = AsyncHooks.createHook(new AsyncHook.Callbacks() {
        @Override
        public void destroy(long asyncId) {
        }
    });
    private final AsyncHook b = AsyncHooks.createHook(new AsyncHook.Callbacks() {
        @Override
        public void before(long asyncId) {
        }
    });

    @Actor
    public void enableA() {
        a.enable();
    }

    @Actor
    public void enableB() {
        b.enable();
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
        r.r1 = a.isEnabled();
        r.r2 = b.isEnabled();
        a.disable();
        b.disable();
    }
}
