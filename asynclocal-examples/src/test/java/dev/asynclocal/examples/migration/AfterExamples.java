package dev.asynclocal.examples.migration;

import dev.asynclocal.AsyncExecutors;
import dev.asynclocal.AsyncLocalStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The "after" side of docs/migration.md: the same work as the "before" snippets (TTL,
 * OpenTelemetry's {@code Context}, a {@code ThreadLocal} copied by hand), written with asynclocal.
 * The page's snippets are regions of this file.
 */
final class AfterExamples {
    // snippet:start after-declare
    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
    static final ExecutorService POOL = AsyncExecutors.wrap(Executors.newFixedThreadPool(4));
    // snippet:end after-declare

    private AfterExamples() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(handle("alice"));
        POOL.shutdown();
    }

    static List<String> handle(String user) throws Exception {
        List<String> seen = new ArrayList<>();
        // snippet:start after-use
        Future<String> audit = USER.run(user, () -> POOL.submit(() -> "audited " + USER.getStore()));
        // no set/remove pair, no copying: the task sees the user, the pool thread keeps nothing
        // snippet:end after-use
        seen.add(audit.get());
        return seen;
    }
}
