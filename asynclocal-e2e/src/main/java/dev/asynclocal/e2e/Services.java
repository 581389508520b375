package dev.asynclocal.e2e;

import dev.asynclocal.kafka.KafkaPropagation;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.PropagatedStorage;
import dev.asynclocal.servers.RequestIds;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;

/**
 * What the Java services A, B and C agree on: which store travels and under which name, the gRPC
 * method between A and B, the two topics, the Kafka client settings, and how a service tells the
 * launcher it is ready. Each service runs in a JVM of its own, so each has its own copy of these
 * declarations; the request id only ever reaches a service through a header, gRPC metadata or a
 * record header. D, in Node.js, knows the same baggage key, {@code requestId}.
 */
final class Services {
    /**
     * The request id travels as the W3C baggage entry {@code requestId}, in the storage that A's
     * request-id filter fills ({@link RequestIds#storage()}), and is put in the MDC wherever it
     * arrives, so that {@code %X{requestId}} shows it. The decoder refuses what the request-id
     * filter would refuse from a client: a peer's baggage is input like any other.
     */
    static final BaggagePropagation PROPAGATION = BaggagePropagation.of(
            PropagatedStorage.of(RequestIds.storage(), "requestId", id -> id,
                            id -> RequestIds.isValid(id) ? id : null)
                    .withMdcKey(RequestIds.DEFAULT_MDC_KEY));

    /** The same declaration, in Kafka record headers. */
    static final KafkaPropagation KAFKA = KafkaPropagation.of(PROPAGATION);

    /** B produces each accepted order here; C consumes it. */
    static final String ORDERS = "orders";
    /** C produces D's reply here; A consumes it. */
    static final String REPLIES = "replies";

    /** A UTF-8 string as a gRPC message: all the demo needs, with no protoc step. */
    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /**
     * B's one method, described by hand as generated stubs would describe it: the order in, B's
     * acknowledgement out.
     */
    static final MethodDescriptor<String, String> PLACE = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("e2e.Orders", "Place"))
            .setRequestMarshaller(UTF8)
            .setResponseMarshaller(UTF8)
            .build();

    /** The first word of the line a service prints once it can take requests. */
    static final String READY = "READY";

    private Services() {
    }

    /**
     * Tells the launcher this service can take requests: one line on standard output, written
     * directly rather than logged, so that it never depends on the log configuration.
     */
    static void ready(String details) {
        System.out.println(READY + " " + details);
        System.out.flush();
    }

    /**
     * Ends this JVM when its standard input closes: the launcher closes it to stop the service,
     * and if the launcher dies the pipe closes too, so no service outlives it.
     */
    static void exitWhenLauncherGoes() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the launcher writes nothing; anything it did write is ignored
                }
            } catch (IOException e) {
                // a broken pipe means the launcher is gone as well
            }
            System.exit(0);
        }, "launcher-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    static Map<String, Object> producerConfig(String servers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return config;
    }

    /**
     * A consumer of a fresh group that reads a topic from its start: a record produced before the
     * group's partitions are assigned is still read.
     */
    static Map<String, Object> consumerConfig(String servers, String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return config;
    }

    /**
     * Subscribes {@code consumer} to {@code topic} and polls it on a thread of its own, handing
     * each poll's records to {@code handler} (which gives each record its own context). Returns
     * once the group has assigned the consumer its partitions, so that a service that says it is
     * ready really is.
     */
    static void pollInBackground(Consumer<String, String> consumer, String topic,
            java.util.function.Consumer<ConsumerRecords<String, String>> handler)
            throws InterruptedException {
        CountDownLatch assigned = new CountDownLatch(1);
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assigned.countDown();
            }
        });
        Thread poller = new Thread(() -> {
            while (true) {
                try {
                    handler.accept(consumer.poll(Duration.ofMillis(200)));
                } catch (RuntimeException e) {
                    // logged outside any request: the check then reports the request that never finished
                    LoggerFactory.getLogger(Services.class).error("polling {} failed", topic, e);
                }
            }
        }, topic + "-poller");
        poller.setDaemon(true);
        poller.start();
        assigned.await();
    }
}
