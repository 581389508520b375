package dev.asynclocal.benchmarks;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.kafka.ContextProducerInterceptor;
import dev.asynclocal.kafka.KafkaPropagation;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Producer throughput with the context in each record's headers, against the same producer
 * without: records per second that a {@code KafkaProducer} sends to a real broker (KRaft, in the
 * benchmark's JVM) and has acknowledged ({@code acks=all}, Kafka's default), each record sent with
 * a callback from inside a request context (a request id and a user).
 * <ul>
 *   <li>{@code plain}: the producer as Kafka makes it; the context stays behind;</li>
 *   <li>{@code wrapped}: {@code KafkaPropagation.wrap(producer)}: a {@code baggage} header with
 *       both stores on every record, and every callback run in its sender's context;</li>
 *   <li>{@code interceptor}: the producer configured with {@link ContextProducerInterceptor}: the
 *       header only.</li>
 * </ul>
 * One operation is one record: each invocation sends {@value #RECORDS} records of
 * {@code valueBytes} bytes (256 by default; {@code -p valueBytes=1024} for larger records), then
 * waits for all of them to be acknowledged ({@code flush}). Each row's JVM starts its own broker,
 * so the rows compare on equal terms.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(KafkaProducerBenchmark.RECORDS)
@State(Scope.Benchmark)
public class KafkaProducerBenchmark {
    static final int RECORDS = 1000;
    static final String TOPIC = "orders";

    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
    static final KafkaPropagation KAFKA = KafkaPropagation.of(BaggagePropagation.of(
            PropagatedStorage.ofString(REQUEST_ID, "requestId"),
            PropagatedStorage.ofString(USER, "user")));
    /** What a request id looks like in practice: a UUID. */
    static final String REQUEST = "5f0c2a9e-7d4b-4c1a-9e3f-2b8d6a1c4e70";
    static final String NAME = "alice@example.com";

    /** The record value's size: the header's share of each record shrinks as records grow. */
    @Param({"256"})
    public int valueBytes;

    private String value;
    private EmbeddedKafkaKraftBroker broker;
    private Producer<String, String> plain;
    private Producer<String, String> wrapped;
    private Producer<String, String> intercepted;
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final Callback count = (metadata, error) -> {
        if (error == null) {
            acknowledged.incrementAndGet();
        }
    };

    @Setup
    public void start() {
        value = "x".repeat(valueBytes);
        broker = new EmbeddedKafkaKraftBroker(1, 1, TOPIC);
        broker.afterPropertiesSet();
        plain = new KafkaProducer<>(config(false));
        wrapped = KAFKA.wrap(new KafkaProducer<>(config(false)));
        intercepted = new KafkaProducer<>(config(true));
    }

    private Map<String, Object> config(boolean interceptor) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        if (interceptor) {
            config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, ContextProducerInterceptor.class.getName());
            config.put(KafkaPropagation.CONFIG, KAFKA);
        }
        return config;
    }

    @TearDown
    public void stop() {
        plain.close();
        wrapped.close();
        intercepted.close();
        broker.destroy();
    }

    /** Sends the records from inside a request and returns how many were acknowledged. */
    private int sendAll(Producer<String, String> producer) {
        acknowledged.set(0);
        REQUEST_ID.run(REQUEST, () -> USER.run(NAME, () -> {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, value), count);
            }
        }));
        producer.flush();
        return acknowledged.get();
    }

    @Benchmark
    public int plain() {
        return sendAll(plain);
    }

    @Benchmark
    public int wrapped() {
        return sendAll(wrapped);
    }

    @Benchmark
    public int interceptor() {
        return sendAll(intercepted);
    }

    private byte[] constant;

    /** The same header bytes as {@code wrapped} sends, computed once: what the wire alone costs. */
    @Benchmark
    public int constantHeader() {
        if (constant == null) {
            constant = REQUEST_ID.run(REQUEST, () -> USER.run(NAME, () -> KAFKA.baggage().headers().get("baggage")))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        acknowledged.set(0);
        for (int i = 0; i < RECORDS; i++) {
            ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, value);
            record.headers().add("baggage", constant);
            plain.send(record, count);
        }
        plain.flush();
        return acknowledged.get();
    }
}
