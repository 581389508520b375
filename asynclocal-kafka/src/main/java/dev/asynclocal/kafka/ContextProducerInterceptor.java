package dev.asynclocal.kafka;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigException;

/**
 * For producers built from configuration alone (a framework's producer factory): writes the
 * headers of the sender's context into every record, as {@link KafkaPropagation#wrap} does. It
 * cannot bind the send callback, which Kafka runs on its network thread: where the callback must
 * see the sender's context, wrap the producer instead (Spring Kafka:
 * {@code DefaultKafkaProducerFactory.addPostProcessor(KAFKA::wrap)}).
 * <pre>{@code
 * config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, ContextProducerInterceptor.class.getName());
 * config.put(KafkaPropagation.CONFIG, KAFKA);   // the instance itself
 * }</pre>
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public class ContextProducerInterceptor<K, V> implements ProducerInterceptor<K, V> {
    private KafkaPropagation propagation;

    /** Called by Kafka, which then calls {@link #configure}. */
    public ContextProducerInterceptor() {
    }

    /**
     * Reads the {@link KafkaPropagation} under {@link KafkaPropagation#CONFIG}.
     *
     * @param configs the producer's configuration
     * @throws ConfigException if the key is missing or holds something else
     */
    @Override
    public void configure(Map<String, ?> configs) {
        Object value = configs.get(KafkaPropagation.CONFIG);
        if (!(value instanceof KafkaPropagation)) {
            throw new ConfigException(KafkaPropagation.CONFIG, value,
                    "must be the KafkaPropagation instance whose stores the producer sends");
        }
        propagation = (KafkaPropagation) value;
    }

    /**
     * Adds the current context's headers; runs on the thread that calls {@code send}.
     *
     * @param record the record being sent
     * @return {@code record}, with the headers added
     */
    @Override
    public ProducerRecord<K, V> onSend(ProducerRecord<K, V> record) {
        propagation.inject(record.headers());
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        // nothing: runs on Kafka's network thread, in no request's context
    }

    @Override
    public void close() {
        // nothing to release
    }
}
