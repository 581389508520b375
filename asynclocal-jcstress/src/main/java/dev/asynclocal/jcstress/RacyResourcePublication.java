package dev.asynclocal.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.AsyncResource;
import dev.asynclocal.CallableOp;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * An {@link AsyncResource} created on one thread (capturing its context and taking an id) and
 * handed to another through a plain field, as a callback registry would. The thread that finds it
 * and calls {@code runInAsyncScope} runs with the resource's id as execution id and with the
 * store captured at construction, never with a default id or an empty frame.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "no resource published yet")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "resource seen whole: its id and its store")
@Outcome(expect = FORBIDDEN, desc = "a resource seen with a wrong id or without its captured store")
@State
public class RacyResourcePublication {
    private final AsyncLocalStorage<String> storage = new AsyncLocalStorage<>("captured");
    /** Deliberately neither volatile nor final: the race under test. */
    private AsyncResource shared;

    @Actor
    public void publish() {
        CallableOp<AsyncResource, RuntimeException> create = () -> new AsyncResource("Published", -1, true);
        shared = storage.run("request-1", create);
    }

    @Actor
    public void consume(II_Result r) {
        AsyncResource resource = shared;
        if (resource == null) {
            return;
        }
        long id = resource.asyncId();
        resource.runInAsyncScope(() -> {
            r.r1 = id > 1 && AsyncHooks.executionAsyncId() == id ? 1 : -1;
            r.r2 = "request-1".equals(storage.getStore()) ? 1 : -1;
        });
    }
}
