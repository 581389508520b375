package dev.asynclocal.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asynclocal.AsyncLocalStorage;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code AsyncLocalStorage.disable()} swaps the instance's frame key while another thread runs
 * with a store and reads it back. The reader sees its own store (the swap came after its read of
 * the key) or {@code null} (the swap came between setting and reading), never another object and
 * never a store whose fields are not yet visible. A second instance on the same thread is not
 * affected at all.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "store read before the key was swapped")
@Outcome(id = "0, 1", expect = ACCEPTABLE_INTERESTING, desc = "key swapped in between: null")
@Outcome(expect = FORBIDDEN, desc = "another object, a half-built store, or the other instance disturbed")
@State
public class DisableDuringGetStore {
    /** A store with a final field, to catch one seen before its construction is visible. */
    static final class Box {
        final int value;

        Box(int value) {
            this.value = value;
        }
    }

    private final AsyncLocalStorage<Box> storage = new AsyncLocalStorage<>("raced");
    private final AsyncLocalStorage<Box> other = new AsyncLocalStorage<>("bystander");

    @Actor
    public void disable() {
        storage.disable();
    }

    @Actor
    public void read(II_Result r) {
        Box mine = new Box(42);
        Box theirs = new Box(7);
        other.run(theirs, () -> storage.run(mine, () -> {
            Box seen = storage.getStore();
            r.r1 = seen == null ? 0 : seen == mine && seen.value == 42 ? 1 : -1;
            Box bystander = other.getStore();
            r.r2 = bystander == theirs && bystander.value == 7 ? 1 : -1;
        }));
    }
}
