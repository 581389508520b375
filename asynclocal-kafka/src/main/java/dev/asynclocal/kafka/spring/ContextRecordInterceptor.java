package dev.asynclocal.kafka.spring;

import dev.asynclocal.kafka.KafkaPropagation;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Runs a Spring Kafka record listener in the context each record carries, on the consumer thread,
 * from {@code intercept}, just before the listener, to {@code afterRecord}, after {@code success}
 * or {@code failure} and the error handler. Inside, the declared stores are the record's and no
 * other store is set (none of the consumer thread's); afterwards the thread has exactly what it had
 * before. Set it on the container factory (or on a container):
 * <pre>{@code
 * factory.setRecordInterceptor(new ContextRecordInterceptor<>(KAFKA));
 * }</pre>
 *
 * <p>With Spring Kafka's observation on (and a tracer bridged to OpenTelemetry), the span the
 * observation starts for the record stays the current span inside, so the listener's spans are its
 * children; the observation's scope then closes before {@code afterRecord}, so the record's
 * context closes at {@code success} or {@code failure} instead, and the error handler runs after
 * it, as it runs after the observation.
 *
 * <p>Spring calls no record interceptor for a batch listener, which receives all the records of
 * a poll at once: give each record its context inside the listener with
 * {@link KafkaPropagation#forEach} (records) or {@link KafkaPropagation#run(java.util.Map, Runnable)}
 * (converted messages).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public class ContextRecordInterceptor<K, V> implements RecordInterceptor<K, V> {
    private final KafkaPropagation propagation;
    /** The record context that {@code intercept} opened on this consumer thread and has not closed. */
    private final ThreadLocal<RecordContext> open = new ThreadLocal<>();

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
        closeOpen(); // a previous record whose afterRecord never came: its context must not stay
        open.set(RecordContext.open(propagation, record));
        return record;
    }

    @Override
    public void success(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
        closeIfSurrounded();
    }

    @Override
    public void failure(ConsumerRecord<K, V> record, Exception exception, Consumer<K, V> consumer) {
        closeIfSurrounded();
    }

    @Override
    public void afterRecord(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
        closeOpen();
    }

    /**
     * Called by the container after each poll's records (also when the listener threw past the
     * error handling and {@code afterRecord} was skipped): nothing of a record stays on the thread.
     */
    @Override
    public void clearThreadState(Consumer<?, ?> consumer) {
        closeOpen();
    }

    private void closeIfSurrounded() {
        RecordContext context = open.get();
        if (context != null && context.closesEarly()) {
            open.remove();
            context.close();
        }
    }

    private void closeOpen() {
        RecordContext context = open.get();
        if (context != null) {
            open.remove();
            context.close();
        }
    }
}
