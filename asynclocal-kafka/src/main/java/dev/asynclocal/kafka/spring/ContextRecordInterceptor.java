package dev.asynclocal.kafka.spring;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.kafka.KafkaPropagation;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Runs a Spring Kafka record listener in the context each record carries: from {@code intercept},
 * just before the listener, to {@code afterRecord}, just after it (and after {@code success} or
 * {@code failure}), on the consumer thread. Set it on the container factory:
 * <pre>{@code
 * factory.setRecordInterceptor(new ContextRecordInterceptor<>(KAFKA));
 * }</pre>
 * Batch listeners receive all the records of a poll at once, so no interceptor can give each
 * record its own context: process the batch with {@link KafkaPropagation#forEach}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public class ContextRecordInterceptor<K, V> implements RecordInterceptor<K, V> {
    private final KafkaPropagation propagation;
    /** The scope opened by {@code intercept} on this consumer thread, closed by {@code afterRecord}. */
    private final ThreadLocal<AsyncLocalStorage.Scope> open = new ThreadLocal<>();

    /**
     * An interceptor for the stores {@code propagation} declares.
     *
     * @param propagation the declarations
     * @throws NullPointerException if {@code propagation} is {@code null}
     */
    public ContextRecordInterceptor(KafkaPropagation propagation) {
        this.propagation = Objects.requireNonNull(propagation, "propagation");
    }

    @Override
    public ConsumerRecord<K, V> intercept(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
        closeOpen(); // a previous record's afterRecord that never came: never let its context stay
        open.set(propagation.extract(record).open());
        return record;
    }

    @Override
    public void afterRecord(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
        closeOpen();
    }

    private void closeOpen() {
        AsyncLocalStorage.Scope scope = open.get();
        if (scope != null) {
            open.remove();
            scope.close();
        }
    }
}
