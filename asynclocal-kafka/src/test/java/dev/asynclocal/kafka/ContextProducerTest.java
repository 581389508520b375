package dev.asynclocal.kafka;

import static dev.asynclocal.kafka.Broker.KAFKA;
import static dev.asynclocal.kafka.Broker.REQUEST_ID;
import static dev.asynclocal.kafka.Broker.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The producing side, on Kafka's own {@link MockProducer}: headers, the caller's record, callbacks. */
class ContextProducerTest {
    private final MockProducer<String, String> mock =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    private final Producer<String, String> producer = KAFKA.wrap(mock);

    private static String header(ProducerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aRecordSentInAContextCarriesItAndTheCallersRecordIsUntouched() {
        ProducerRecord<String, String> record = new ProducerRecord<>("orders", "k", "v");
        record.headers().add("baggage", "stale=1".getBytes(StandardCharsets.UTF_8));
        record.headers().add("other", "kept".getBytes(StandardCharsets.UTF_8));
        REQUEST_ID.run("r-1", () -> USER.run("alice", () -> producer.send(record)));
        ProducerRecord<String, String> sent = mock.history().get(0);
        assertThat(sent).isNotSameAs(record);
        assertThat(header(sent, "baggage")).contains("requestId=r-1").contains("user=alice").doesNotContain("stale");
        assertThat(sent.headers().headers("baggage")).hasSize(1);
        assertThat(header(sent, "other")).isEqualTo("kept");
        assertThat(header(record, "baggage")).isEqualTo("stale=1");
        assertThat(sent.topic()).isEqualTo("orders");
        assertThat(sent.key()).isEqualTo("k");
        assertThat(sent.value()).isEqualTo("v");
    }

    @Test
    void aRecordSentOutsideAnyContextGoesAsItIs() {
        ProducerRecord<String, String> record = new ProducerRecord<>("orders", "v");
        producer.send(record);
        assertThat(mock.history().get(0)).isSameAs(record);
        assertThat(record.headers().toArray()).isEmpty();
    }

    @Test
    void theCallbackRunsInTheSendersContextWhoeverCompletesTheSend() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        CompletableFuture<String> failed = new CompletableFuture<>();
        REQUEST_ID.run("r-2", () -> producer.send(new ProducerRecord<>("orders", "v"),
                (metadata, error) -> seen.complete(REQUEST_ID.getStore() + "/" + error)));
        REQUEST_ID.run("r-3", () -> producer.send(new ProducerRecord<>("orders", "v"),
                (metadata, error) -> failed.complete(REQUEST_ID.getStore() + "/" + error.getMessage())));
        REQUEST_ID.run("elsewhere", () -> CompletableFuture.runAsync(() -> {
            mock.completeNext();
            mock.errorNext(new RuntimeException("broker down"));
        }).join());
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("r-2/null");
        assertThat(failed.get(10, TimeUnit.SECONDS)).isEqualTo("r-3/broker down");
        assertThat(REQUEST_ID.getStore()).isNull();
    }

    @Test
    void wrappingIsIdempotentAndChecked() {
        assertThat(KAFKA.wrap(producer)).isSameAs(producer);
        assertThatThrownBy(() -> KAFKA.wrap(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("producer");
        assertThatThrownBy(() -> KafkaPropagation.of(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theInterceptorAddsHeadersAndRefusesAMissingConfiguration() {
        ContextProducerInterceptor<String, String> interceptor = new ContextProducerInterceptor<>();
        assertThatThrownBy(() -> interceptor.configure(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(KafkaPropagation.CONFIG);
        Map<String, Object> config = new HashMap<>();
        config.put(KafkaPropagation.CONFIG, KAFKA);
        interceptor.configure(config);
        ProducerRecord<String, String> record = new ProducerRecord<>("orders", "v");
        REQUEST_ID.run("r-4", () -> interceptor.onSend(record));
        assertThat(header(record, "baggage")).contains("requestId=r-4");
        ProducerRecord<String, String> plain = new ProducerRecord<>("orders", "v");
        interceptor.onSend(plain);
        assertThat(plain.headers().toArray()).isEmpty();
    }
}
