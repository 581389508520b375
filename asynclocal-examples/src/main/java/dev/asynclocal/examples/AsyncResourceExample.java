package dev.asynclocal.examples;

import dev.asynclocal.AsyncHooks;
import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.AsyncResource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link AsyncResource}: a tiny library that queues callbacks and runs them later, in a batch, on
 * its own thread, and keeps each callback in the context of the code that queued it.
 */
public final class AsyncResourceExample {
    private AsyncResourceExample() {
    }

    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");

    static void log(String msg) {
        String user = USER.getStore();
        System.out.println((user != null ? user : "-") + ": " + msg);
    }

    // snippet:start job-queue
    /** Queues callbacks and runs them in a batch on its own thread when flushed. */
    static final class JobQueue implements AutoCloseable {
        /** One queued callback; as an AsyncResource it captures the context it was created in. */
        private static final class Job extends AsyncResource {
            private final Runnable callback;

            Job(Runnable callback) {
                super("JobQueue.Job");
                this.callback = callback;
            }

            void run() {
                try {
                    runInAsyncScope(callback);   // in the context captured by the constructor
                } finally {
                    emitDestroy();               // a job runs once; tell the hooks it is done
                }
            }
        }

        private final List<Job> pending = new ArrayList<>();
        private final ExecutorService thread =
                Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "job-queue"));

        synchronized void enqueue(Runnable callback) {
            pending.add(new Job(callback));
        }

        /** Runs every queued job on the queue's thread and waits for them. */
        void flush() throws InterruptedException, ExecutionException {
            List<Job> batch;
            synchronized (this) {
                batch = new ArrayList<>(pending);
                pending.clear();
            }
            thread.submit(() -> batch.forEach(Job::run)).get();
        }

        @Override
        public void close() {
            thread.shutdown();
        }
    }
    // snippet:end job-queue

    public static void main(String[] args) throws InterruptedException, ExecutionException {
        // snippet:start job-queue-use
        try (JobQueue queue = new JobQueue()) {
            USER.run("alice", () -> queue.enqueue(() -> log("job 1 " + where())));
            USER.run("bob", () -> queue.enqueue(() -> log("job 2 " + where())));
            queue.flush();
        }
        // Prints:
        //   alice: job 1 on job-queue, running as JobQueue.Job
        //   bob: job 2 on job-queue, running as JobQueue.Job
        // snippet:end job-queue-use

        // snippet:start resource-bind
        Runnable callback = USER.run("carol",
                () -> AsyncResource.bind(() -> log("bound " + where()), "Callback"));
        Thread thread = new Thread(callback, "other");
        thread.start();
        thread.join();      // carol: bound on other, running as Callback
        // snippet:end resource-bind
    }

    // snippet:start where
    static String where() {
        AsyncResource running = (AsyncResource) AsyncHooks.executionAsyncResource();
        return "on " + Thread.currentThread().getName() + ", running as " + running.type();
    }
    // snippet:end where
}
