package dev.asynclocal.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service C: consumes {@code orders}, has D (Node.js) handle each order over HTTP, and produces
 * D's reply to {@code replies}.
 *
 * <p>Each record is processed in the context its headers carry, so C works for the request that
 * produced it, one request at a time even when a poll returns records of several. The wrapped
 * {@code HttpClient} sends the id to D as {@code baggage}, and its {@code sendAsync} stage runs in
 * the record's context although the JDK's client thread completes it; the reply is produced from
 * there, with the id in its headers again. Arguments: the Kafka bootstrap servers, D's port.
 */
public final class ServiceC {
    private static final Logger log = LoggerFactory.getLogger(ServiceC.class);

    private final HttpClient toD = Services.PROPAGATION.wrap(HttpClient.newHttpClient());
    private final Producer<String, String> replies;
    private final URI d;

    private ServiceC(Producer<String, String> replies, URI d) {
        this.replies = replies;
        this.d = d;
    }

    public static void main(String[] args) throws Exception {
        Services.exitWhenLauncherGoes();
        String servers = args[0];
        Producer<String, String> producer = Services.KAFKA.wrap(new KafkaProducer<>(Services.producerConfig(servers)));
        producer.partitionsFor(Services.REPLIES);
        ServiceC c = new ServiceC(producer, URI.create("http://127.0.0.1:" + Integer.parseInt(args[1]) + "/orders/"));

        Services.pollInBackground(new KafkaConsumer<>(Services.consumerConfig(servers, "service-c")), Services.ORDERS,
                records -> Services.KAFKA.forEach(records, c::handle));
        Services.ready("group=service-c");
        Thread.currentThread().join();   // the poll thread does the work; the JVM ends when the launcher goes
    }

    private void handle(ConsumerRecord<String, String> record) {
        String order = record.value();
        log.info("got {} from {}-{}@{}, asking D", order, record.topic(), record.partition(), record.offset());
        HttpRequest request = HttpRequest.newBuilder(d.resolve(order)).timeout(Duration.ofSeconds(10)).build();
        toD.sendAsync(request, BodyHandlers.ofString()).whenComplete((response, error) -> {
            String reply;
            if (error != null) {
                log.warn("D failed for {}: {}", order, error.toString());
                reply = "D failed for " + order + ": " + error;
            } else {
                log.info("D answered {} with status {}, baggage \"{}\": {}", order, response.statusCode(),
                        response.headers().firstValue("baggage").orElse(""), response.body());
                reply = response.body();
            }
            replies.send(new ProducerRecord<>(Services.REPLIES, order, reply), (metadata, sendError) -> {
                if (sendError != null) {
                    log.warn("could not store the reply to {}: {}", order, sendError.toString());
                } else {
                    log.info("reply to {} stored at {}-{}@{}", order, metadata.topic(), metadata.partition(), metadata.offset());
                }
            });
        });
    }
}
