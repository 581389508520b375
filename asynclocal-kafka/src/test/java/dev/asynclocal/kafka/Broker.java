package dev.asynclocal.kafka;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker, in KRaft mode, in this JVM (Spring Kafka's test broker, which runs Apache
 * Kafka's own cluster test kit), and the clients the tests use. One per test class.
 */
final class Broker implements AutoCloseable {
    static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
    static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
    static final KafkaPropagation KAFKA = KafkaPropagation.of(BaggagePropagation.of(
            PropagatedStorage.ofString(REQUEST_ID, "requestId").withMdcKey("requestId"),
            PropagatedStorage.ofString(USER, "user")));

    private final EmbeddedKafkaKraftBroker broker;

    Broker(int partitions, String... topics) {
        broker = new EmbeddedKafkaKraftBroker(1, partitions, topics);
        // a consumer group forms at once instead of after the default three seconds
        broker.brokerProperty("group.initial.rebalance.delay.ms", "0");
        broker.afterPropertiesSet();
    }

    String servers() {
        return broker.getBrokersAsString();
    }

    KafkaProducer<String, String> producer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config);
    }

    Map<String, Object> consumerConfig(String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + UUID.randomUUID());
        return config;
    }

    KafkaConsumer<String, String> consumer(String group) {
        return new KafkaConsumer<>(consumerConfig(group));
    }

    @Override
    public void close() {
        broker.destroy();
    }
}
