package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.asynclocal.internal.Engine;
import dev.asynclocal.slf4j.AsyncLocalMdc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the soak and memory tests share: the log-line checker, the HTTP soak itself, and the probe
 * that reads what a pool's idle threads hold.
 */
final class SoakSupport {
    /** The soak's length unless {@code -Dsoak.duration=...} says otherwise. */
    static final String DEFAULT_DURATION = "15s";
    static final int CLIENTS = 64;

    private SoakSupport() {
    }

    /**
     * {@code -Dsoak.duration}: {@code 15s}, {@code 10m}, {@code 1h}, {@code 500ms}, or ISO-8601
     * ({@code PT10M}).
     */
    static Duration soakDuration() {
        return parseDuration(System.getProperty("soak.duration", DEFAULT_DURATION));
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        }
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("soak.duration: expected e.g. 15s, 10m, 1h or PT10M, not " + text);
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }

    /**
     * Checks every line the soak server logs, as it is written: the line is laid out with a
     * pattern that puts {@code %X{userId}} before the message, then parsed, and the MDC's user
     * must be the one the message names. Nothing is kept but counts and the first bad lines, so
     * a million requests cost no memory here.
     */
    static final class LineChecker extends AppenderBase<ILoggingEvent> {
        private static final Pattern LINE = Pattern.compile("(?<mdc>[^|]*)\\|(?<step>[a-z ]+) user=(?<user>\\S+)");
        private final PatternLayout layout = new PatternLayout();
        final LongAdder lines = new LongAdder();
        final LongAdder mismatches = new LongAdder();
        final Queue<String> samples = new ConcurrentLinkedQueue<>();
        private final AtomicInteger sampled = new AtomicInteger();
        private Logger logger;

        /** Sends the soak server's lines here only, not to the console. */
        static LineChecker install() {
            AsyncLocalMdc.install();
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            LineChecker checker = new LineChecker();
            checker.setContext(context);
            checker.setName("soak-line-checker");
            checker.layout.setContext(context);
            checker.layout.setPattern("%X{" + SoakServer.MDC_KEY + ":--}|%msg");
            checker.layout.start();
            checker.start();
            checker.logger = context.getLogger(SoakServer.class);
            checker.logger.setLevel(Level.INFO);
            checker.logger.setAdditive(false);
            checker.logger.addAppender(checker);
            return checker;
        }

        void uninstall() {
            logger.detachAppender(this);
            logger.setAdditive(true);
            logger.setLevel(null);
            stop();
        }

        void reset() {
            lines.reset();
            mismatches.reset();
            samples.clear();
            sampled.set(0);
        }

        @Override
        protected void append(ILoggingEvent event) {
            lines.increment();
            String line = layout.doLayout(event);
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !m.group("mdc").equals(m.group("user"))) {
                mismatches.increment();
                if (sampled.getAndIncrement() < 20) {
                    samples.add(line + " [" + event.getThreadName() + "]");
                }
            }
        }
    }

    /** What a soak produced. */
    record Result(Propagation mode, long served, long lost, Duration took, long hops, long lines, boolean virtualThreads) {
        String summary() {
            return String.format(Locale.ROOT,
                    "soak [%s]: %,d requests served to %d clients in %.1f s (%,.0f/s), %,d lost; %,d hops and %,d log"
                            + " lines checked, 0 mismatches%s",
                    mode.name().toLowerCase(Locale.ROOT), served, CLIENTS, took.toMillis() / 1000.0,
                    served * 1000.0 / Math.max(1, took.toMillis()), lost, hops, lines,
                    virtualThreads ? "; virtual-thread hop on" : "; no virtual-thread hop (Java " + Runtime.version().feature() + ")");
        }
    }

    /**
     * The soak: {@value #CLIENTS} clients send requests over loopback for {@code duration}, each
     * request with a user id never used before, and check that the answer names that user. Then
     * everything the server checked must have matched, every line must carry its request's user,
     * and no pool thread may hold a context.
     */
    static Result soak(Propagation mode, Duration duration, LineChecker checker) throws Exception {
        checker.reset();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        LongAdder served = new LongAdder();
        LongAdder lost = new LongAdder();
        Queue<String> lostSamples = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, task -> {
            Thread thread = new Thread(task, "soak-client");
            thread.setDaemon(true);
            return thread;
        });
        try (SoakServer server = SoakServer.start(mode, Duration.ofMillis(1))) {
            URI uri = server.uri();
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    for (long n = 0; System.nanoTime() < deadline; n++) {
                        String user = "user-" + client + "-" + n;
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                                            .header(SoakServer.USER_HEADER, user)
                                            .timeout(Duration.ofSeconds(30))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200 && response.body().equals("user " + user + "\n")) {
                                served.increment();
                                continue;
                            }
                            lost.increment();
                            if (lostSamples.size() < 20) {
                                lostSamples.add(user + " answered " + response.statusCode() + " " + response.body().strip());
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return null;
                        } catch (Exception e) {
                            lost.increment();
                            if (lostSamples.size() < 20) {
                                lostSamples.add(user + " failed: " + e);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            long requests = served.sum() + lost.sum();
            // Every problem at once, without SoftAssertions: its proxies take seconds to generate
            // on a loaded machine, longer still under the agent.
            List<String> problems = new ArrayList<>();
            problems.addAll(lostSamples);
            expect(problems, "requests lost", lost.sum(), 0);
            problems.addAll(server.mismatchSamples());
            expect(problems, "hop mismatches", server.mismatches(), 0);
            expect(problems, "hops checked", server.hops(), requests * server.hopsPerRequest());
            problems.addAll(checker.samples);
            expect(problems, "log-line mismatches", checker.mismatches.sum(), 0);
            expect(problems, "log lines", checker.lines.sum(), requests * server.logLinesPerRequest());
            assertThat(problems).as("requests lost or answered wrongly, hops and log lines that saw another user").isEmpty();
            assertThat(served.sum()).as("requests served").isPositive();

            for (ThreadPoolExecutor pool : server.pools()) {
                assertThat(whatEveryThreadHolds(pool)).as("contexts held by the idle threads of %s", pool).containsOnly(EMPTY);
            }
            assertThat(whatTheCommonPoolHolds()).as("contexts held by the common pool's threads").containsOnly(EMPTY);
            return new Result(mode, served.sum(), lost.sum(), took, server.hops(), checker.lines.sum(), server.usesVirtualThreads());
        } finally {
            clients.shutdownNow();
        }
    }

    static final String EMPTY = "user=null mdc=null";

    private static void expect(List<String> problems, String what, long actual, long expected) {
        if (actual != expected) {
            problems.add(what + ": " + actual + ", expected " + expected);
        }
    }

    /**
     * Runs one probe on each core thread of {@code pool} at once (they wait for each other, so no
     * thread takes two) and returns what each saw between tasks. The probes go to the pool itself
     * and are {@link Engine.PassThrough}s, so neither a wrapper nor the agent gives them a context.
     */
    static List<String> whatEveryThreadHolds(ThreadPoolExecutor pool) throws Exception {
        int threads = pool.getCorePoolSize();
        pool.prestartAllCoreThreads();
        return probe(threads, pool::execute);
    }

    /** The same for the fork/join common pool, which runs the parallel streams and async stages. */
    static List<String> whatTheCommonPoolHolds() throws Exception {
        return probe(ForkJoinPool.getCommonPoolParallelism(), ForkJoinPool.commonPool()::execute);
    }

    private static List<String> probe(int threads, Consumer<Runnable> executor) throws Exception {
        return ThreadProbe.eachThread(threads, executor,
                () -> "user=" + SoakServer.currentUser() + " mdc=" + MDC.get(SoakServer.MDC_KEY));
    }
}
