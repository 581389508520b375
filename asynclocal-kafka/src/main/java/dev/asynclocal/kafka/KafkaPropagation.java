package dev.asynclocal.kafka;

import dev.asynclocal.Snapshot;
import dev.asynclocal.opentelemetry.BaggagePropagation;
import dev.asynclocal.opentelemetry.IncomingContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.header.Headers;

/**
 * Carries the declared asynclocal stores from the code that sends a Kafka record to the code that
 * processes it, in the record's headers: the same W3C {@code baggage} (and {@code traceparent}, when
 * a span is current) that {@link BaggagePropagation} sends over HTTP and gRPC, so one declaration
 * serves every transport.
 * <pre>{@code
 * static final KafkaPropagation KAFKA = KafkaPropagation.of(BaggagePropagation.of(
 *         PropagatedStorage.ofString(REQUEST_ID, "requestId")));
 *
 * Producer<String, String> producer = KAFKA.wrap(new KafkaProducer<>(config));   // sending side
 * REQUEST_ID.run("r-1", () -> producer.send(record, (metadata, error) -> log("sent")));  // "r-1: sent"
 *
 * for (ConsumerRecord<String, String> record : consumer.poll(timeout)) {         // receiving side
 *     KAFKA.run(record, r -> handle(r));                                         // handle sees "r-1"
 * }
 * }</pre>
 *
 * <p>Receiving never throws because of what a record carries: missing, malformed, oversized or
 * non-UTF-8 headers leave the declared instances unset (a debug line on the {@code System.Logger}s
 * {@code dev.asynclocal.opentelemetry} and {@code dev.asynclocal.kafka}), and a store only ever
 * holds a completely decoded value. Each record is processed in a fresh context built from its
 * own headers alone: no store of the consumer thread shows through, declared or not, so a batch
 * of records from different requests never mixes them, and a poll loop started inside some
 * request never lends it to the records. Instances are immutable and thread-safe.
 */
public final class KafkaPropagation {
    /**
     * The producer configuration key under which {@link ContextProducerInterceptor} finds its
     * {@code KafkaPropagation} (the value is the instance itself).
     */
    public static final String CONFIG = "asynclocal.kafka.propagation";

    private final BaggagePropagation baggage;

    private KafkaPropagation(BaggagePropagation baggage) {
        this.baggage = baggage;
    }

    /**
     * Propagation of the stores {@code baggage} declares.
     *
     * @param baggage the declarations, shared with the other transports
     * @return the Kafka propagation
     * @throws NullPointerException if {@code baggage} is {@code null}
     */
    public static KafkaPropagation of(BaggagePropagation baggage) {
        return new KafkaPropagation(Objects.requireNonNull(baggage, "baggage"));
    }

    /**
     * The declarations this propagation sends and receives.
     *
     * @return the baggage propagation
     */
    public BaggagePropagation baggage() {
        return baggage;
    }

    /**
     * A producer that sends every record with the headers of the context current at its
     * {@code send}, and runs the send callback in that context (Kafka calls it on its network
     * thread). Everything else is {@code producer}'s own. The caller's record is not modified: a
     * record that gets headers is sent as a copy.
     *
     * @param producer the producer that sends
     * @param <K> the key type
     * @param <V> the value type
     * @return the propagating producer; {@code producer} itself if it already propagates with this
     * @throws NullPointerException if {@code producer} is {@code null}
     */
    public <K, V> Producer<K, V> wrap(Producer<K, V> producer) {
        Objects.requireNonNull(producer, "producer");
        if (producer instanceof ContextProducer && ((ContextProducer<K, V>) producer).propagation() == this) {
            return producer;
        }
        return new ContextProducer<>(producer, this);
    }

    /**
     * Writes the headers of the current context into {@code headers}, replacing any
     * {@code traceparent}, {@code tracestate} and {@code baggage} they had; writes nothing when
     * there is nothing to send.
     *
     * @param headers a record's headers, not yet sent (Kafka makes them read-only once sent)
     * @return whether anything was written
     * @throws NullPointerException if {@code headers} is {@code null}
     */
    public boolean inject(Headers headers) {
        Objects.requireNonNull(headers, "headers");
        Map<String, String> current = baggage.headers();
        if (current.isEmpty()) {
            return false;
        }
        for (String name : BaggagePropagation.headerNames()) {
            headers.remove(name);
        }
        current.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return true;
    }

    /**
     * The context a record's headers carry.
     *
     * @param headers the record's headers; {@code null} is read as none
     * @return the context, to {@link IncomingContext#run run} the record's processing in
     */
    public IncomingContext extract(Headers headers) {
        return baggage.extract(headers, RecordHeadersCarrier.INSTANCE);
    }

    /**
     * The context {@code record} carries.
     *
     * @param record the record
     * @return the context, to {@link IncomingContext#run run} the record's processing in
     * @throws NullPointerException if {@code record} is {@code null}
     */
    public IncomingContext extract(ConsumerRecord<?, ?> record) {
        Objects.requireNonNull(record, "record");
        return extract(record.headers());
    }

    /**
     * The context that headers already copied out of a record carry: Spring's {@code MessageHeaders}
     * of a converted message, or one of the header maps of a converted batch. A value may be the
     * header's bytes (UTF-8) or a {@code String}; a value of any other type is read as absent,
     * with a debug line. To process a message in it, prefer {@link #run(Map, Runnable)}.
     *
     * @param headers header name to value; {@code null} is read as none
     * @return the context, to {@link IncomingContext#run run} the message's processing in
     */
    public IncomingContext extract(Map<String, ?> headers) {
        return baggage.extract(headers, HeaderMapCarrier.INSTANCE);
    }

    /**
     * Runs {@code handler} with {@code record} in the context the record carries, then gives the
     * thread its own context back. Inside, the declared instances hold what the record's headers
     * carry and no other store is set: not even one the consumer thread had (set what the
     * processing needs beyond the headers inside {@code handler}). Exceptions from {@code handler}
     * propagate unchanged.
     *
     * @param record the record
     * @param handler what processes it
     * @param <K> the key type
     * @param <V> the value type
     * @throws NullPointerException if an argument is {@code null}
     */
    public <K, V> void run(ConsumerRecord<K, V> record, Consumer<? super ConsumerRecord<K, V>> handler) {
        Objects.requireNonNull(handler, "handler");
        IncomingContext incoming = extract(record);
        Snapshot.empty().run(() -> incoming.run(() -> handler.accept(record)));
    }

    /**
     * Runs {@code handler} in the context that headers copied out of a record carry, as
     * {@link #run(ConsumerRecord, Consumer)} does for the record itself: for a Spring Kafka batch
     * listener that takes converted messages, one message at a time.
     * <pre>{@code
     * @KafkaListener(topics = "orders", batch = "true")
     * void onOrders(List<Message<Order>> messages) {
     *     for (Message<Order> message : messages) {
     *         KAFKA.run(message.getHeaders(), () -> handle(message.getPayload()));
     *     }
     * }
     * }</pre>
     *
     * @param headers header name to value (see {@link #extract(Map)}); {@code null} is read as none
     * @param handler what processes the message
     * @throws NullPointerException if {@code handler} is {@code null}
     */
    public void run(Map<String, ?> headers, Runnable handler) {
        Objects.requireNonNull(handler, "handler");
        IncomingContext incoming = extract(headers);
        Snapshot.empty().run(() -> incoming.run(handler));
    }

    /**
     * Runs {@code handler} on each record, each in the context that record carries: a batch of
     * records sent by different requests is processed one request at a time, never mixed (what a
     * batch listener does with {@code ConsumerRecords}).
     *
     * @param records the records, in order
     * @param handler what processes one record
     * @param <K> the key type
     * @param <V> the value type
     * @throws NullPointerException if an argument is {@code null}
     */
    public <K, V> void forEach(Iterable<ConsumerRecord<K, V>> records, Consumer<? super ConsumerRecord<K, V>> handler) {
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(handler, "handler");
        for (ConsumerRecord<K, V> record : records) {
            run(record, handler);
        }
    }

    @Override
    public String toString() {
        return "KafkaPropagation[" + baggage + "]";
    }
}
