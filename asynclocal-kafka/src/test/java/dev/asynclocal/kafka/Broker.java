package dev.asynclocal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import java.io.File;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;
import org.awaitility.Awaitility;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker, in KRaft mode, in this JVM (Spring Kafka's test broker, which runs Apache
 * Kafka's own cluster test kit), and the clients the tests use. One per test class; closing it
 * checks that the broker, and every thread the test class started, is gone, and so are its files.
 */
public final class Broker implements AutoCloseable {
    public static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
    public static final AsyncLocalStorage<String> USER = new AsyncLocalStorage<>("user");
    public static final KafkaPropagation KAFKA = KafkaPropagation.of(BaggagePropagation.of(
            PropagatedStorage.ofString(REQUEST_ID, "requestId").withMdcKey("requestId"),
            PropagatedStorage.ofString(USER, "user")));

    /** Threads of the JVM that outlive any one test class by design. */
    private static final List<String> SHARED_THREADS = List.of("ForkJoinPool.commonPool-worker", "awaitility");

    private final Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
    private final EmbeddedKafkaKraftBroker broker;
    /** Where the broker keeps its logs and metadata; deleted when it stops. */
    private final File directory;

    public Broker(int partitions, String... topics) {
        broker = new EmbeddedKafkaKraftBroker(1, partitions, topics);
        // a consumer group forms at once instead of after the default three seconds
        broker.brokerProperty("group.initial.rebalance.delay.ms", "0");
        broker.afterPropertiesSet();
        directory = new File(broker.getCluster().nodes().baseDirectory());
        assertThat(directory).isDirectory();
    }

    /** Adds a topic with the broker's number of partitions. */
    public void addTopic(String topic) {
        broker.addTopics(topic);
    }

    public String servers() {
        return broker.getBrokersAsString();
    }

    public Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return config;
    }

    public KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(producerConfig());
    }

    public Map<String, Object> consumerConfig(String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + UUID.randomUUID());
        return config;
    }

    public KafkaConsumer<String, String> consumer(String group) {
        return new KafkaConsumer<>(consumerConfig(group));
    }

    /**
     * Stops the broker and checks that it left nothing: every thread started since it was built
     * (the broker's, the clients', the test's) ends, and its log directories are deleted. The
     * broker's metrics library keeps two threads of its own for the whole JVM; they are stopped
     * too (a later broker starts new ones).
     */
    @Override
    public void close() {
        broker.destroy();
        KafkaYammerMetrics.defaultRegistry().shutdown();
        Awaitility.await("threads started since the broker was built to end").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(leftThreads()).isEmpty());
        assertThat(directory).as("the broker's directory").doesNotExist();
    }

    private Set<String> leftThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !threadsBefore.contains(t) && t.isAlive() && t != Thread.currentThread())
                // the JVM's own, such as the Attach Listener a jcmd elsewhere on the machine starts
                .filter(t -> t.getThreadGroup() == null || !"system".equals(t.getThreadGroup().getName()))
                .map(Thread::getName)
                .filter(name -> SHARED_THREADS.stream().noneMatch(name::startsWith))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
