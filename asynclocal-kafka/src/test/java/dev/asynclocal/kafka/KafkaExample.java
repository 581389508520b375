package dev.asynclocal.kafka;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.kafka.spring.ContextRecordInterceptor;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * The code docs/kafka.md shows (its snippets are regions of this file, checked by
 * {@link DocsTest}), run against an in-process broker: a request's id goes from the producing
 * code to a plain poll loop and to a Spring Kafka listener.
 */
public final class KafkaExample {
    // snippet:start declare
    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");

    static final KafkaPropagation KAFKA = KafkaPropagation.of(BaggagePropagation.of(
            PropagatedStorage.ofString(REQUEST_ID, "requestId")));
    // snippet:end declare

    private KafkaExample() {
    }

    public static void main(String[] args) throws Exception {
        try (Broker broker = new Broker(1, "orders", "payments")) {
            System.out.println(String.join("\n", run(broker)));
        }
    }

    static List<String> run(Broker broker) throws Exception {
        List<String> out = new java.util.concurrent.CopyOnWriteArrayList<>();
        KafkaProducer<String, String> kafkaProducer = broker.producer();
        // snippet:start produce
        Producer<String, String> producer = KAFKA.wrap(kafkaProducer);
        REQUEST_ID.run("r-1", () -> producer.send(new ProducerRecord<>("orders", "order-1"),
                (metadata, error) -> log(out, "sent order-1")));   // the callback sees r-1 too
        // snippet:end produce
        producer.flush();
        producer.close();

        try (KafkaConsumer<String, String> consumer = broker.consumer("example")) {
            consumer.subscribe(List.of("orders"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < 2 && System.nanoTime() < deadline) {
                // snippet:start consume
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    KAFKA.run(record, r -> log(out, "processing " + r.value()));   // sees r-1
                }
                // snippet:end consume
            }
        }

        Map<String, Object> consumerConfig = broker.consumerConfig("example-spring");
        Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.servers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringSerializer.class);
        // snippet:start spring
        DefaultKafkaProducerFactory<String, String> producers = new DefaultKafkaProducerFactory<>(producerConfig);
        producers.addPostProcessor(KAFKA::wrap);                       // KafkaTemplate sends with headers

        ContainerProperties properties = new ContainerProperties("payments");
        properties.setMessageListener((MessageListener<String, String>) record ->
                log(out, "listener got " + record.value()));          // in the record's context
        KafkaMessageListenerContainer<String, String> container = new KafkaMessageListenerContainer<>(
                new DefaultKafkaConsumerFactory<>(consumerConfig), properties);
        container.setRecordInterceptor(new ContextRecordInterceptor<>(KAFKA));
        // snippet:end spring
        container.start();
        try (Producer<String, String> template = producers.createProducer()) {
            REQUEST_ID.run("r-2", () -> template.send(new ProducerRecord<>("payments", "payment-2")));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.size() < 3 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        container.stop();
        producers.destroy();
        return out;
    }

    private static void log(List<String> out, String message) {
        out.add(REQUEST_ID.getStore() + ": " + message);
    }
}
