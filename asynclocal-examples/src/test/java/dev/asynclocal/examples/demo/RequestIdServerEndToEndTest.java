package dev.asynclocal.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import dev.asynclocal.internal.Engine;
import dev.asynclocal.servers.RequestIds;
import dev.asynclocal.slf4j.AsyncLocalMdc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The demo server under load: 2,000 requests from 32 concurrent clients over loopback. Every log
 * line is captured as the demo's own Logback pattern writes it, parsed, and matched to its request
 * by the {@code tag} the test gave that request; the id on the line must be the id the server gave
 * that request (the {@code X-Request-Id} of its answer). Runs once per propagation mode available
 * in this JVM: the wrappers always, the agent's plain JDK classes when the agent is installed.
 */
class RequestIdServerEndToEndTest {
    private static final int REQUESTS = 2_000;
    private static final int CLIENTS = 32;
    private static final List<String> STEPS = List.of("start", "executor hop", "scheduled task", "finish");
    private static final Map<String, String> THREAD_OF_STEP = Map.of(
            "start", "http-", "executor hop", "worker-", "scheduled task", "timer-", "finish", "timer-");
    private static final Pattern LINE = Pattern.compile(
            "(?<id>\\S+): (?<step>start|executor hop|scheduled task|finish) tag=(?<tag>\\d+) \\[(?<thread>[\\w-]+)\\]");

    private static Logger root;
    private static Appender<ILoggingEvent> console;
    private static LineCollector collector;

    /** Records each event as the demo's console appender would print it. */
    static final class LineCollector extends AppenderBase<ILoggingEvent> {
        final Queue<String> lines = new ConcurrentLinkedQueue<>();
        private final PatternLayout layout = new PatternLayout();

        LineCollector(LoggerContext context, String pattern) {
            setContext(context);
            setName("end-to-end");
            layout.setContext(context);
            layout.setPattern(pattern);
            layout.start();
        }

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(layout.doLayout(event).stripTrailing());
        }
    }

    @BeforeAll
    static void captureTheDemosLogLines() {
        AsyncLocalMdc.install();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        console = root.getAppender("CONSOLE");
        assertThat(console).as("the CONSOLE appender of the demo's logback.xml").isInstanceOf(OutputStreamAppender.class);
        String pattern = ((PatternLayoutEncoder) ((OutputStreamAppender<ILoggingEvent>) console).getEncoder()).getPattern();
        assertThat(pattern).contains("%X{requestId");
        collector = new LineCollector(context, pattern);
        collector.start();
        // 8,000 lines on the build's console would drown everything else.
        root.detachAppender(console);
        root.addAppender(collector);
    }

    @AfterAll
    static void restoreTheConsole() {
        root.detachAppender(collector);
        root.addAppender(console);
    }

    static Stream<Propagation> modes() {
        return Propagation.agentInstalled() ? Stream.of(Propagation.values()) : Stream.of(Propagation.WRAPPERS);
    }

    @ParameterizedTest
    @MethodSource("modes")
    void everyLineOfEveryRequestCarriesThatRequestsId(Propagation mode) throws Exception {
        collector.lines.clear();
        try (DemoServer server = DemoServer.start(0, mode, Duration.ofMillis(1))) {
            List<DemoClient.Reply> replies = DemoClient.send(server.uri(), REQUESTS, CLIENTS, true, Duration.ofSeconds(60));

            // The answers: one per request, each with its own id from the server's sequence.
            assertThat(replies).hasSize(REQUESTS);
            Map<String, String> idOfTag = new HashMap<>();
            List<String> badReplies = new ArrayList<>();
            for (DemoClient.Reply reply : replies) {
                if (reply.status() != 200 || reply.requestId() == null
                        || !reply.body().equals("request " + reply.requestId() + " answered\n")) {
                    badReplies.add(reply.toString());
                }
                idOfTag.put(reply.tag(), reply.requestId());
            }
            Set<String> zeroToN = IntStream.range(0, REQUESTS).mapToObj(Integer::toString).collect(Collectors.toSet());
            assertThat(idOfTag.keySet()).as("tags answered").isEqualTo(zeroToN);
            assertThat(new HashSet<>(idOfTag.values())).as("ids given by the server: 0 to %d, once each", REQUESTS - 1)
                    .isEqualTo(zeroToN);

            // The log lines: a request's finish is logged before its answer is written, so every
            // line is in by now.
            List<String> lines = new ArrayList<>(collector.lines);
            List<String> unparsed = new ArrayList<>();
            List<String> mismatches = new ArrayList<>();
            List<String> wrongThread = new ArrayList<>();
            Map<String, List<String>> stepsOfTag = new HashMap<>();
            for (String line : lines) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    unparsed.add(line);
                    continue;
                }
                String tag = m.group("tag");
                if (!m.group("id").equals(idOfTag.get(tag))) {
                    mismatches.add(line + "   <- request tag=" + tag + " has id " + idOfTag.get(tag));
                }
                if (!m.group("thread").startsWith(THREAD_OF_STEP.get(m.group("step")))) {
                    wrongThread.add(line);
                }
                stepsOfTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(m.group("step"));
            }
            List<String> incomplete = new ArrayList<>();
            for (String tag : idOfTag.keySet()) {
                List<String> steps = stepsOfTag.getOrDefault(tag, List.of());
                if (!steps.equals(STEPS)) {
                    incomplete.add("tag=" + tag + ": " + steps);
                }
            }
            SoftAssertions softly = new SoftAssertions();
            softly.assertThat(sample(mismatches)).as("lines carrying another request's id, or none").isEmpty();
            softly.assertThat(sample(unparsed)).as("lines that are not a request's step").isEmpty();
            softly.assertThat(sample(incomplete)).as("requests whose lines are missing, repeated or out of order").isEmpty();
            softly.assertThat(lines).as("log lines").hasSize(REQUESTS * STEPS.size());
            softly.assertThat(sample(wrongThread)).as("lines written on an unexpected thread").isEmpty();
            softly.assertThat(sample(badReplies)).as("answers that were not their request's").isEmpty();
            softly.assertAll();

            // The server's threads: whatever ran on them, none holds a context now.
            for (ThreadPoolExecutor pool : server.pools()) {
                assertThat(whatEveryThreadHolds(pool)).as("contexts held by the threads of %s", pool)
                        .hasSize(pool.getCorePoolSize())
                        .containsOnly("requestId=null mdc=null");
            }
        }
    }

    /** At most 20 entries, and how many there were: enough to see what went wrong. */
    private static List<String> sample(List<String> found) {
        if (found.size() <= 20) {
            return found;
        }
        List<String> first = new ArrayList<>(found.subList(0, 20));
        first.add("... " + found.size() + " in all");
        return first;
    }

    /**
     * Runs one probe on each thread of {@code pool} at once (they wait for each other, so no
     * thread takes two) and returns what each saw. The probes must see what their thread holds
     * between tasks, not a context of their own, so they go to the pool itself, not through a
     * propagating wrapper, and are {@link Engine.PassThrough}s, which the agent does not bind either.
     */
    private static List<String> whatEveryThreadHolds(ThreadPoolExecutor pool) throws Exception {
        // the core size: a ScheduledThreadPoolExecutor's maximum is Integer.MAX_VALUE, unused
        pool.prestartAllCoreThreads();
        return ThreadProbe.eachThread(pool.getCorePoolSize(), pool::execute,
                () -> "requestId=" + RequestIds.current() + " mdc=" + MDC.getCopyOfContextMap());
    }
}
