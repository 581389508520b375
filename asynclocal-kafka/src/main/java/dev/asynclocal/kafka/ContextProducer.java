package dev.asynclocal.kafka;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.Snapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * What {@link KafkaPropagation#wrap} returns. A decorator rather than only a
 * {@code ProducerInterceptor}: an interceptor can add headers (and {@link ContextProducerInterceptor}
 * does, for producers built from configuration alone) but never sees the callback, which Kafka
 * runs on its network thread, where no request's context belongs.
 */
final class ContextProducer<K, V> implements Producer<K, V> {
    private final Producer<K, V> delegate;
    private final KafkaPropagation propagation;

    ContextProducer(Producer<K, V> delegate, KafkaPropagation propagation) {
        this.delegate = delegate;
        this.propagation = propagation;
    }

    KafkaPropagation propagation() {
        return propagation;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return delegate.send(withHeaders(record));
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        return delegate.send(withHeaders(record), callback == null ? null : bound(callback));
    }

    /** {@code record}, or a copy of it with the current context's headers. */
    private ProducerRecord<K, V> withHeaders(ProducerRecord<K, V> record) {
        if (record == null) {
            return null; // the delegate's own error
        }
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        if (!propagation.inject(headers)) {
            return record;
        }
        return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
                record.value(), headers);
    }

    private static Callback bound(Callback callback) {
        Snapshot sender = AsyncLocalStorage.snapshot();
        return new Callback() {
            @Override
            public void onCompletion(RecordMetadata metadata, Exception exception) {
                sender.run(() -> callback.onCompletion(metadata, exception));
            }

            @Override
            public String toString() {
                return callback.toString();
            }
        };
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata groupMetadata) {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
        delegate.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        delegate.close(timeout);
    }

    @Override
    public String toString() {
        return "ContextProducer[" + delegate + "]";
    }
}
