package dev.asynclocal.kafka;

import static dev.asynclocal.kafka.Broker.KAFKA;
import static dev.asynclocal.kafka.Broker.REQUEST_ID;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Under the asynclocal agent: Kafka's producer network thread (a {@code KafkaThread}, started when
 * the producer is built) and the consumer's threads, created for the first time inside request A,
 * never show A to later work. The plain producer's callbacks run on the network thread with no
 * context (never A's, never the sender's); the wrapped producer's run in their sender's.
 */
class KafkaAgentIT {
    private static final String TOPIC = "agent";
    private static Broker broker;

    @BeforeAll
    static void start() {
        assertThat(dev.asynclocal.agent.AsyncLocalAgent.isInstalled()).as("run with -javaagent").isTrue();
        broker = new Broker(1, TOPIC);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static CompletableFuture<String> send(Producer<String, String> producer, String context) {
        CompletableFuture<String> seen = new CompletableFuture<>();
        Runnable send = () -> producer.send(new ProducerRecord<>(TOPIC, String.valueOf(context)),
                (metadata, error) -> seen.complete(String.valueOf(REQUEST_ID.getStore())));
        if (context == null) {
            send.run();
        } else {
            REQUEST_ID.run(context, send);
        }
        return seen;
    }

    @Test
    void aProducerAndConsumerCreatedInsideRequestAKeepNothingOfIt() throws Exception {
        KafkaProducer<String, String> plain = REQUEST_ID.run("A", () -> {
            KafkaProducer<String, String> made = broker.producer();
            made.send(new ProducerRecord<>(TOPIC, "A"));
            made.flush();
            return made;
        });
        try (plain; Producer<String, String> wrapped = KAFKA.wrap(broker.producer())) {
            for (int i = 0; i < 20; i++) {
                assertThat(send(plain, "B" + i).get(30, TimeUnit.SECONDS)).as("plain producer, request B").isEqualTo("null");
                assertThat(send(plain, null).get(30, TimeUnit.SECONDS)).as("plain producer, no context").isEqualTo("null");
                assertThat(send(wrapped, "B" + i).get(30, TimeUnit.SECONDS)).as("wrapped producer").isEqualTo("B" + i);
                assertThat(send(wrapped, null).get(30, TimeUnit.SECONDS)).isEqualTo("null");
            }
        }
        Map<String, String> seen = new ConcurrentHashMap<>();
        KafkaConsumer<String, String> consumer = REQUEST_ID.run("A", () -> broker.consumer("agent-group"));
        try (consumer) {
            REQUEST_ID.run("A", () -> consumer.subscribe(List.of(TOPIC)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < 81 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(record -> seen.put(record.offset() + "",
                        record.value() + " read as " + REQUEST_ID.getStore()));
                KAFKA.forEach(consumer.poll(Duration.ZERO), record -> seen.put(record.offset() + "",
                        record.value() + " read as " + REQUEST_ID.getStore()));
            }
        }
        assertThat(seen).hasSize(81);
        assertThat(seen.values()).noneMatch(line -> line.endsWith(" read as A") && !line.startsWith("A "));
    }
}
