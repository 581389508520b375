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
import org.openjdk.jcstress.infra.results.ZZZ_Result;

/**
 * Hook registry: two threads disable two different hooks at the same time while a third hook
 * stays enabled. Disabling copies the array without the hook; two unsynchronized copies would
 * bring a disabled hook back or drop the third one. Afterwards exactly the third is enabled.
 */
@JCStressTest
@Outcome(id = "false, false, true", expect = ACCEPTABLE, desc = "both disabled, the bystander kept")
@Outcome(expect = FORBIDDEN, desc = "a disable() was lost or removed the wrong hook")
@State
public class HookConcurrentDisable {
    private final AsyncHook a = AsyncHooks.createHook(new AsyncHook.Callbacks() {
        @Override
        public void destroy(long asyncId) {
        }
    }).enable();
    private final AsyncHook bystander = AsyncHooks.createHook(new AsyncHook.Callbacks() {
    }).enable();
    private final AsyncHook b = AsyncHooks.createHook(new AsyncHook.Callbacks() {
        @Override
        public void after(long asyncId) {
        }
    }).enable();

    @Actor
    public void disableA() {
        a.disable();
    }

    @Actor
    public void disableB() {
        b.disable();
    }

    @Arbiter
    public void arbiter(ZZZ_Result r) {
        r.r1 = a.isEnabled();
        r.r2 = b.isEnabled();
        r.r3 = bystander.isEnabled();
        bystander.disable();
    }
}
