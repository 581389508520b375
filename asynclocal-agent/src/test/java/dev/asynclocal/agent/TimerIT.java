package dev.asynclocal.agent;

import static dev.asynclocal.agent.Kit.STORE;
import static dev.asynclocal.agent.Kit.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncResource;
import dev.asynclocal.agent.Kit.Event;
import dev.asynclocal.agent.Kit.Recorder;
import java.util.Queue;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@code java.util.Timer} under the agent: each task runs, every time, in the context where it was
 * scheduled; the timer's own thread keeps no context, even when the timer was created in one.
 */
class TimerIT {
    /** A task that records what it sees and counts down. */
    static final class Recording extends TimerTask {
        final Queue<String> seen = new ConcurrentLinkedQueue<>();
        final CountDownLatch runs;

        Recording(int runs) {
            this.runs = new CountDownLatch(runs);
        }

        @Override
        public void run() {
            if (runs.getCount() > 0) {
                seen.add(String.valueOf(STORE.getStore()));
                STORE.enterWith("leaked into the next run?");
                runs.countDown();
            }
        }
    }

    @Test
    void oneShotAndPeriodicTasksRunInTheSchedulersContext() throws Exception {
        Timer timer = STORE.run("timer-created-here", () -> new Timer("test-timer", true));
        try {
            Recording once = new Recording(1);
            STORE.run("once", () -> timer.schedule(once, 1));
            Recording fixedDelay = new Recording(5);
            STORE.run("fixed-delay", () -> timer.schedule(fixedDelay, 0, 1));
            Recording fixedRate = new Recording(5);
            STORE.run("fixed-rate", () -> timer.scheduleAtFixedRate(fixedRate, 0, 1));
            Recording outside = new Recording(1);
            timer.schedule(outside, 1);
            await(once.runs);
            await(fixedDelay.runs);
            await(fixedRate.runs);
            await(outside.runs);
            fixedDelay.cancel();
            fixedRate.cancel();
            assertThat(once.seen).containsExactly("once");
            assertThat(fixedDelay.seen).hasSize(5).allMatch("fixed-delay"::equals);
            assertThat(fixedRate.seen).hasSize(5).allMatch("fixed-rate"::equals);
            assertThat(outside.seen).containsExactly("null");
        } finally {
            timer.cancel();
        }
    }

    @Test
    void timerTasksAreResourcesWithOneBeforeAndAfterPerRun() throws Exception {
        Timer timer = new Timer("traced-timer", true);
        try (Recorder recorder = new Recorder().enable()) {
            AsyncResource scheduler = new AsyncResource("Scheduler");
            Recording periodic = new Recording(3);
            scheduler.runInAsyncScope(() -> timer.schedule(periodic, 0, 1));
            Event init = recorder.onlyInit("TimerTask", scheduler.asyncId());
            await(periodic.runs);
            periodic.cancel();
            recorder.awaitDestroy(init.asyncId);
            assertThat(recorder.kinds(init.asyncId)).startsWith("init", "before", "after", "before", "after",
                    "before", "after").endsWith("destroy");
            assertThat(recorder.kinds(init.asyncId).stream().filter("destroy"::equals)).hasSize(1);

            Recording once = new Recording(1);
            scheduler.runInAsyncScope(() -> timer.schedule(once, 1));
            Event onceInit = recorder.initsTriggeredBy("TimerTask", scheduler.asyncId()).get(1);
            await(once.runs);
            recorder.awaitDestroy(onceInit.asyncId);
            assertThat(recorder.kinds(onceInit.asyncId)).containsExactly("init", "before", "after", "destroy");
        } finally {
            timer.cancel();
        }
    }
}
