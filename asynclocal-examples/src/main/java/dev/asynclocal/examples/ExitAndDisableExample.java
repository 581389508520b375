package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;

/**
 * {@link AsyncLocalStorage#exit(Runnable)} hides one instance's store for a call;
 * {@link AsyncLocalStorage#disable()} hides all of an instance's stores for good.
 */
public final class ExitAndDisableExample {
    private ExitAndDisableExample() {
    }

    // snippet:start exit
    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user", "anonymous");
    static final AsyncLocalStorage<String> TRACE_ID = new AsyncLocalStorage<>("traceId");

    static void log(String msg) {
        System.out.println("user=" + USER.getStore() + " trace=" + TRACE_ID.getStore() + ": " + msg);
    }

    static void exit() {
        log("outside");                            // user=anonymous trace=null: outside
        USER.run("alice", () -> TRACE_ID.run("t-1", () -> {
            log("in run");                         // user=alice trace=t-1: in run
            USER.exit(() -> log("in exit"));       // user=anonymous trace=t-1: in exit
            log("after exit");                     // user=alice trace=t-1: after exit
        }));
    }
    // snippet:end exit

    static void disable() {
        // snippet:start disable
        Runnable pending = USER.run("alice",
                () -> AsyncLocalStorage.bind(() -> log("pending task")));
        pending.run();                             // user=alice trace=null: pending task

        USER.disable();
        pending.run();                             // user=anonymous trace=null: pending task
        USER.run("bob", () -> log("new run"));     // user=bob trace=null: new run
        pending.run();                             // user=anonymous trace=null: pending task
        // snippet:end disable
    }

    public static void main(String[] args) {
        exit();
        disable();
    }
}
