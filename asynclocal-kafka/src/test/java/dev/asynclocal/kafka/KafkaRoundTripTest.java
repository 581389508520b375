package dev.asynclocal.kafka;

import static dev.asynclocal.kafka.Broker.KAFKA;
import static dev.asynclocal.kafka.Broker.REQUEST_ID;
import static dev.asynclocal.kafka.Broker.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records produced inside request contexts and consumed by a real broker's consumer group, in
 * KRaft mode, in this JVM: every record is processed in its producer's context, whatever
 * partition, consumer or poll it arrives in, and sees nothing of the consumer thread's own
 * context; records whose headers are missing, malformed, oversized or not UTF-8 are processed with
 * no store, without an exception. (Spring Kafka listeners: {@code SpringKafkaListenerTest}.)
 */
class KafkaRoundTripTest {
    private static final String LOAD = "load";
    private static final String BAD = "bad-headers";
    private static final Logger LOG = LoggerFactory.getLogger("dev.asynclocal.kafka.test.consumer");
    /** Not declared in the propagation: each poll loop runs inside it, no record may see it. */
    private static final AsyncLocalStorage<String> POLL_LOOP = new AsyncLocalStorage<>("pollLoop");

    private static Broker broker;

    @BeforeAll
    static void start() {
        broker = new Broker(3, LOAD, BAD);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** "req-N/seq": the producing request's id, then the record's number in that request. */
    private static String requestOf(ConsumerRecord<String, String> record) {
        return record.value().substring(0, record.value().indexOf('/'));
    }

    @Test
    void tenThousandRecordsFromFiftyRequestsAreEachProcessedInTheirProducersContext() throws Exception {
        int requests = 50;
        int perRequest = 200;
        int total = requests * perRequest;
        Set<String> callbackMismatches = ConcurrentHashMap.newKeySet();
        try (LogLines log = new LogLines(LOG.getName());
                Producer<String, String> producer = KAFKA.wrap(broker.producer())) {
            ExecutorService senders = Executors.newFixedThreadPool(8);
            List<Future<?>> sent = new ArrayList<>();
            for (int r = 0; r < requests; r++) {
                String request = "req-" + r;
                sent.add(senders.submit(() -> REQUEST_ID.run(request, () -> USER.run("user-of-" + request, () -> {
                    for (int i = 0; i < perRequest; i++) {
                        producer.send(new ProducerRecord<>(LOAD, request + "-" + i, request + "/" + i), (metadata, error) -> {
                            if (error != null || !request.equals(REQUEST_ID.getStore())) {
                                callbackMismatches.add(request + " saw " + REQUEST_ID.getStore() + " " + error);
                            }
                        });
                    }
                }))));
            }
            for (Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
            producer.flush();
            senders.shutdown();

            AtomicInteger consumed = new AtomicInteger();
            Set<String> mismatches = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService group = Executors.newFixedThreadPool(3);
            List<Future<?>> consumers = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                String loop = "poll-loop-" + c;
                consumers.add(group.submit(() -> POLL_LOOP.run(loop, () -> {
                    try (KafkaConsumer<String, String> consumer = broker.consumer("load-group")) {
                        consumer.subscribe(List.of(LOAD));
                        while (running.get()) {
                            ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                            KAFKA.forEach(records, record -> {
                                String expected = requestOf(record);
                                if (!expected.equals(REQUEST_ID.getStore()) || !("user-of-" + expected).equals(USER.getStore())
                                        || POLL_LOOP.getStore() != null) {
                                    mismatches.add(record.value() + " saw " + REQUEST_ID.getStore() + "/" + USER.getStore()
                                            + "/" + POLL_LOOP.getStore());
                                }
                                LOG.info("processed {}", record.value());
                                consumed.incrementAndGet();
                            });
                            if (REQUEST_ID.getStore() != null || !loop.equals(POLL_LOOP.getStore())) {
                                mismatches.add(loop + " holds " + REQUEST_ID.getStore() + "/" + POLL_LOOP.getStore());
                            }
                        }
                    }
                    return null;
                })));
            }
            awaitUntil(() -> consumed.get() >= total, Duration.ofSeconds(90));
            running.set(false);
            for (Future<?> f : consumers) {
                f.get(30, TimeUnit.SECONDS);
            }
            group.shutdown();

            assertThat(consumed.get()).isEqualTo(total);
            assertThat(mismatches).isEmpty();
            assertThat(callbackMismatches).isEmpty();
            List<LogLines.Line> lines = log.lines;
            assertThat(lines).hasSize(total);
            long wrong = lines.stream()
                    .filter(line -> !line.message().equals("processed " + line.requestId() + line.message()
                            .substring(line.message().indexOf('/'))))
                    .count();
            assertThat(wrong).as("log lines whose MDC requestId is not their record's request").isZero();
            assertThat(lines.stream().map(LogLines.Line::requestId).distinct().count()).isEqualTo(requests);
        }
    }

    private static void awaitUntil(java.util.function.BooleanSupplier done, Duration atMost) {
        org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(done::getAsBoolean);
    }

    @Test
    void recordsWithMissingMalformedOversizedOrNonUtf8HeadersAreProcessedWithNoStore() throws Exception {
        List<Headers> bad = List.of(
                new RecordHeaders(),
                headers("baggage", "requestId=%ZZ,user"),
                headers("baggage", "requestId=" + "x".repeat(20_000)),
                headers("baggage", "=;=;,,=="),
                new RecordHeaders().add("baggage", new byte[] {(byte) 0xC3, (byte) 0x28, 'a', '=', 'b'}),
                headers("traceparent", "00-zzzz-yyyy-01"),
                headers("baggage", "user=bob").add("baggage", "requestId=%%%".getBytes(StandardCharsets.UTF_8)));
        try (KafkaProducer<String, String> plain = broker.producer()) {
            for (int i = 0; i < bad.size(); i++) {
                plain.send(new ProducerRecord<>(BAD, 0, "k" + i, "v" + i, bad.get(i))).get(30, TimeUnit.SECONDS);
            }
        }
        Map<String, String> seen = new ConcurrentHashMap<>();
        List<String> debug = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                debug.add(record.getLoggerName() + ": " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        List<java.util.logging.Logger> loggers = List.of(java.util.logging.Logger.getLogger("dev.asynclocal.kafka"),
                java.util.logging.Logger.getLogger("dev.asynclocal.opentelemetry"));
        for (java.util.logging.Logger logger : loggers) {
            logger.setLevel(java.util.logging.Level.FINE);
            logger.addHandler(handler);
        }
        try (KafkaConsumer<String, String> consumer = broker.consumer("bad-group")) {
            consumer.subscribe(List.of(BAD));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < bad.size() && System.nanoTime() < deadline) {
                KAFKA.forEach(consumer.poll(Duration.ofMillis(100)),
                        record -> seen.put(record.value(), REQUEST_ID.getStore() + "/" + USER.getStore()));
            }
        }
        for (java.util.logging.Logger logger : loggers) {
            logger.removeHandler(handler);
            logger.setLevel(null);
        }
        assertThat(seen).hasSize(bad.size());
        assertThat(debug).as("each dropped header is a debug line")
                .anySatisfy(line -> assertThat(line).startsWith("dev.asynclocal.kafka: record header 'baggage' is not UTF-8"))
                .anySatisfy(line -> assertThat(line).startsWith("dev.asynclocal.opentelemetry"));
        assertThat(seen).containsEntry("v0", "null/null").containsEntry("v1", "null/null")
                .containsEntry("v2", "null/null").containsEntry("v3", "null/null").containsEntry("v4", "null/null")
                .containsEntry("v5", "null/null");
        // the last record's last baggage header is the one read, and its bad entry is dropped alone
        assertThat(seen.get("v6")).isEqualTo("null/null");
    }

    private static RecordHeaders headers(String name, String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
