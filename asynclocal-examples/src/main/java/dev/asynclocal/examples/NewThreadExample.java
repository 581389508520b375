package dev.asynclocal.examples;

import dev.asynclocal.AsyncLocalStorage;

/**
 * {@link AsyncLocalStorage#bind(Runnable)} with {@code new Thread}: a new thread starts with an
 * empty context unless its task was bound to the context of the code that created it.
 */
public final class NewThreadExample {
    private NewThreadExample() {
    }

    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void log(String msg) {
        String user = USER.getStore();
        System.out.println((user != null ? user : "-") + ": " + msg);
    }

    public static void main(String[] args) throws InterruptedException {
        // snippet:start new-thread
        USER.run("alice", () -> {
            Thread plain = new Thread(() -> log("plain thread"));
            Thread bound = new Thread(AsyncLocalStorage.bind(() -> log("bound thread")));
            plain.start();
            plain.join();                 // -: plain thread
            bound.start();
            bound.join();                 // alice: bound thread
            return null;
        });
        // snippet:end new-thread
    }
}
