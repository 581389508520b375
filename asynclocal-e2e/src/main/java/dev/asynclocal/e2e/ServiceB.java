package dev.asynclocal.e2e;

import dev.asynclocal.grpc.ServerPropagationInterceptor;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service B: a gRPC server that places orders by producing them to the {@code orders} topic, and
 * answers A once the broker has acknowledged the record.
 *
 * <p>The server interceptor runs the call in the context its metadata describes, so the handler
 * logs A's request id. The wrapped producer writes that id into the record's headers and runs the
 * send callback, which Kafka calls on its network thread, in the handler's context: the
 * acknowledgement's log line and the gRPC answer belong to the same request. Argument: the Kafka
 * bootstrap servers.
 */
public final class ServiceB {
    private static final Logger log = LoggerFactory.getLogger(ServiceB.class);

    private final Producer<String, String> orders;

    private ServiceB(Producer<String, String> orders) {
        this.orders = orders;
    }

    public static void main(String[] args) throws Exception {
        Services.exitWhenLauncherGoes();
        Producer<String, String> producer = Services.KAFKA.wrap(new KafkaProducer<>(Services.producerConfig(args[0])));
        // blocks until the producer has the topic's metadata: the first order is not kept waiting
        producer.partitionsFor(Services.ORDERS);
        ServiceB b = new ServiceB(producer);

        Server server = NettyServerBuilder
                .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), InsecureServerCredentials.create())
                .addService(ServerServiceDefinition.builder("e2e.Orders")
                        .addMethod(Services.PLACE, ServerCalls.asyncUnaryCall(b::place))
                        .build())
                // added last, so that it runs first and everything after it is in the call's context
                .intercept(ServerPropagationInterceptor.create(Services.PROPAGATION))
                .build()
                .start();
        Services.ready("port=" + server.getPort());
        server.awaitTermination();
    }

    private void place(String order, StreamObserver<String> responses) {
        log.info("placing {} on topic {}", order, Services.ORDERS);
        orders.send(new ProducerRecord<>(Services.ORDERS, order, order), (metadata, error) -> {
            if (error != null) {
                log.warn("could not store {}: {}", order, error.toString());
                responses.onError(Status.UNAVAILABLE.withDescription(error.toString()).asRuntimeException());
                return;
            }
            String where = metadata.topic() + "-" + metadata.partition() + "@" + metadata.offset();
            log.info("{} stored at {}, answering A", order, where);
            responses.onNext("placed " + order + " at " + where);
            responses.onCompleted();
        });
    }
}
