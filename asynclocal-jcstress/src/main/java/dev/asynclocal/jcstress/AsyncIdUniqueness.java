package dev.asynclocal.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asynclocal.AsyncResource;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The async id counter: two threads create an {@link AsyncResource} at the same time. Ids come
 * from one process-wide counter; a non-atomic increment would hand both the same id. The ids
 * must differ and both be above the top-level id 1.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "distinct ids, both above the top level")
@Outcome(expect = FORBIDDEN, desc = "a repeated or invalid id")
@State
public class AsyncIdUniqueness {
    private long first;
    private long second;

    @Actor
    public void createFirst() {
        first = new AsyncResource("IdRace", -1, true).asyncId();
    }

    @Actor
    public void createSecond() {
        second = new AsyncResource("IdRace", -1, true).asyncId();
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
        r.r1 = first != second;
        r.r2 = first > 1 && second > 1;
    }
}
