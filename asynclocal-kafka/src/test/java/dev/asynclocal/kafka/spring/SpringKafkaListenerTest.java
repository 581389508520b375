package dev.asynclocal.kafka.spring;

import static dev.asynclocal.kafka.Broker.KAFKA;
import static dev.asynclocal.kafka.Broker.REQUEST_ID;
import static dev.asynclocal.kafka.Broker.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asynclocal.AsyncLocalStorage;
import dev.asynclocal.kafka.Broker;
import dev.asynclocal.kafka.LogLines;
import dev.asynclocal.opentelemetry.AsyncLocalContextStorageProvider;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.CompositeRecordInterceptor;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.kafka.support.micrometer.KafkaRecordReceiverContext;
import org.springframework.messaging.Message;
import org.springframework.util.backoff.FixedBackOff;

/**
 * A Spring application with {@code @KafkaListener}s on a real broker: record listeners with
 * {@link ContextRecordInterceptor} on three consumer threads, a listener that fails half its records
 * (the error handler's recoverer and its log line see the failed record's request), batch listeners
 * of records and of converted messages, and a record listener under Spring Kafka's observation with
 * a tracer on OpenTelemetry. Twenty requests, each with its own id, user and trace, send records
 * through a {@code KafkaTemplate} whose producers are wrapped. Every record's processing sees its
 * own request's stores and nothing of the consumer thread; the consumer threads keep nothing of
 * any record.
 */
class SpringKafkaListenerTest {
    static final String RECORDS = "records";
    static final String FAILING = "failing";
    static final String BATCHES = "batches";
    static final String MESSAGES = "messages";
    static final String OBSERVED = "observed";
    static final List<String> TOPICS = List.of(RECORDS, FAILING, BATCHES, MESSAGES, OBSERVED);
    static final int REQUESTS = 20;
    static final int PER_REQUEST = 25;
    static final int PER_TOPIC = REQUESTS * PER_REQUEST;

    /** Not declared in the propagation: each consumer thread holds it, no record may see it. */
    static final AsyncLocalStorage<String> CONSUMER_THREAD = new AsyncLocalStorage<>("consumerThread");
    static final String THREADS_OWN = "the consumer thread's own";

    static final Logger LOG = LoggerFactory.getLogger("dev.asynclocal.kafka.test.spring");
    static final Tracer TRACER = SdkTracerProvider.builder().build().get("test");

    static final Set<String> mismatches = ConcurrentHashMap.newKeySet();
    /** Per topic, the records processed (a record may come twice, after a rebalance). */
    static final Map<String, Set<String>> processed = new ConcurrentHashMap<>();
    /** "partition@offset" of each failed record, to the request that sent it. */
    static final Map<String, String> failed = new ConcurrentHashMap<>();
    /** Per request, the trace its records were sent in. */
    static final Map<String, String> traces = new ConcurrentHashMap<>();
    /** Per observed record, the span Spring's observation started for it. */
    static final Map<String, SpanContext> observationSpans = new ConcurrentHashMap<>();

    static Broker broker;
    static AnnotationConfigApplicationContext spring;

    @BeforeAll
    static void start() {
        assertThat(AsyncLocalContextStorageProvider.isActive()).as("OpenTelemetry's context in the asynclocal context").isTrue();
        for (String topic : TOPICS) {
            processed.put(topic, ConcurrentHashMap.newKeySet());
        }
        broker = new Broker(3, TOPICS.toArray(String[]::new));
        spring = new AnnotationConfigApplicationContext();
        spring.registerBean(Broker.class, () -> broker);
        spring.register(Config.class);
        spring.refresh();
    }

    @AfterAll
    static void stop() {
        if (spring != null) {
            spring.close();
        }
        broker.close();
    }

    /** "req-N/i": the producing request, then the record's number in it. */
    static String requestOf(String value) {
        return value.substring(0, value.indexOf('/'));
    }

    static int numberOf(String value) {
        return Integer.parseInt(value.substring(value.indexOf('/') + 1));
    }

    /** What every record's processing must see: its request's stores, nothing of the thread. */
    static void check(String where, String value) {
        String request = requestOf(value);
        if (!request.equals(REQUEST_ID.getStore()) || !("user-of-" + request).equals(USER.getStore())
                || CONSUMER_THREAD.getStore() != null
                || !request.equals(Baggage.current().getEntryValue("requestId"))) {
            mismatches.add(where + " " + value + " saw " + REQUEST_ID.getStore() + "/" + USER.getStore() + "/"
                    + CONSUMER_THREAD.getStore() + "/" + Baggage.current().getEntryValue("requestId"));
        }
        LOG.info("{} processed {}", where, value);
    }

    @Test
    void everyListenerProcessesEachRecordInItsOwnRequestsContext() throws Exception {
        try (LogLines log = new LogLines(LOG.getName());
                LogLines errorHandler = new LogLines(DefaultErrorHandler.class.getName())) {
            send();
            Awaitility.await("every record processed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> TOPICS.stream().allMatch(topic -> processed.get(topic).size() == PER_TOPIC));
            assertThat(mismatches).isEmpty();

            // 5 topics, each record logged once (a failed record once more, when the error
            // handler's retry of the rest of its poll reads it again, is not counted here)
            List<LogLines.Line> lines = log.lines;
            assertThat(lines).allSatisfy(line -> assertThat(line.message()).contains(" " + line.requestId() + "/"));
            assertThat(lines.stream().map(LogLines.Line::requestId).distinct()).hasSize(REQUESTS);

            // the error handler ran in the failed record's context: Spring's log line of each
            // failed record carries the request id of the request that sent it
            assertThat(failed).hasSize(REQUESTS * (PER_REQUEST / 2)); // the odd numbers
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> errorHandler.lines.size() >= failed.size());
            assertThat(errorHandler.lines).allSatisfy(line -> {
                String at = line.message().replaceAll(".*exhausted for " + FAILING + "-(\\d+@\\d+).*", "$1");
                assertThat(line.requestId()).as(line.message()).isNotNull().isEqualTo(failed.get(at));
            });
        }
        // the observed listener ran in the span Spring's observation started for its record, a
        // child of the record's trace; spans in the listener are children of it
        assertThat(observationSpans).hasSize(PER_TOPIC);
    }

    @SuppressWarnings("try")
    private static void send() throws Exception {
        @SuppressWarnings("unchecked")
        KafkaTemplate<String, String> template = spring.getBean(KafkaTemplate.class);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int r = 0; r < REQUESTS; r++) {
                String request = "req-" + r;
                sent.add(senders.submit(() -> REQUEST_ID.run(request, () -> USER.run("user-of-" + request, () -> {
                    Span span = TRACER.spanBuilder(request).startSpan();
                    traces.put(request, span.getSpanContext().getTraceId());
                    try (Scope ignored = span.makeCurrent()) {
                        for (int i = 0; i < PER_REQUEST; i++) {
                            for (String topic : TOPICS) {
                                String value = request + "/" + i;
                                template.send(topic, value).whenComplete((result, error) -> {
                                    if (error != null || !request.equals(REQUEST_ID.getStore())) {
                                        mismatches.add("send callback of " + value + " saw " + REQUEST_ID.getStore() + " " + error);
                                    }
                                });
                            }
                        }
                    } finally {
                        span.end();
                    }
                }))));
            }
            for (Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
            template.flush();
        } finally {
            senders.shutdown();
        }
    }

    /**
     * Placed before {@link ContextRecordInterceptor}: gives each consumer thread a store of its own
     * before every poll, and checks, before each record's context opens and after each poll's
     * records, that the thread holds exactly that and nothing of any record.
     */
    static final class ThreadProbe implements RecordInterceptor<String, String> {
        private final boolean observed;

        ThreadProbe(boolean observed) {
            this.observed = observed;
        }

        @Override
        public void setupThreadState(Consumer<?, ?> consumer) {
            if (CONSUMER_THREAD.getStore() == null) {
                CONSUMER_THREAD.enterWith(THREADS_OWN);
            }
        }

        @Override
        public ConsumerRecord<String, String> intercept(ConsumerRecord<String, String> record, Consumer<String, String> consumer) {
            // under observation, the record's observation is already open here: only check our stores
            expectThreadsOwn("before " + record.value(), !observed);
            return record;
        }

        @Override
        public void clearThreadState(Consumer<?, ?> consumer) {
            expectThreadsOwn("after a poll", true);
        }

        private static void expectThreadsOwn(String when, boolean checkOpenTelemetry) {
            if (REQUEST_ID.getStore() != null || USER.getStore() != null || !THREADS_OWN.equals(CONSUMER_THREAD.getStore())
                    || (checkOpenTelemetry && Context.current() != Context.root())) {
                mismatches.add(Thread.currentThread().getName() + " " + when + ": " + REQUEST_ID.getStore() + "/"
                        + USER.getStore() + "/" + CONSUMER_THREAD.getStore() + "/" + Context.current());
            }
        }
    }

    /**
     * What micrometer-tracing's handler does for a received record, written against OpenTelemetry
     * directly: a span whose parent is the record's {@code traceparent}, current while the
     * observation's scope is open.
     */
    static final class TracingHandler implements ObservationHandler<KafkaRecordReceiverContext> {
        private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
            @Override
            public Iterable<String> keys(Headers carrier) {
                return () -> StreamSupport.stream(carrier.spliterator(), false).map(Header::key).iterator();
            }

            @Override
            public String get(Headers carrier, String key) {
                Header header = carrier.lastHeader(key);
                return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
            }
        };

        @Override
        public boolean supportsContext(Observation.Context context) {
            return context instanceof KafkaRecordReceiverContext;
        }

        @Override
        public void onStart(KafkaRecordReceiverContext context) {
            Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), context.getRecord().headers(), HEADERS);
            Span span = TRACER.spanBuilder("process").setParent(parent).startSpan();
            context.put(Span.class, span);
            observationSpans.put(String.valueOf(context.getRecord().value()), span.getSpanContext());
        }

        @Override
        public void onScopeOpened(KafkaRecordReceiverContext context) {
            Span span = context.get(Span.class);
            context.put(Scope.class, Context.current().with(span).makeCurrent());
        }

        @Override
        public void onScopeClosed(KafkaRecordReceiverContext context) {
            Scope scope = (Scope) context.remove(Scope.class);
            if (scope != null) {
                scope.close();
            }
        }

        @Override
        public void onStop(KafkaRecordReceiverContext context) {
            Span span = context.get(Span.class);
            span.end();
        }
    }

    static final class Listeners {
        @KafkaListener(id = RECORDS, topics = RECORDS, containerFactory = "records")
        void record(ConsumerRecord<String, String> record) {
            check(RECORDS, record.value());
            processed.get(RECORDS).add(record.value());
        }

        /** Odd records fail; the error handler logs them and goes on, without retrying. */
        @KafkaListener(id = FAILING, topics = FAILING, containerFactory = "failing")
        void failing(ConsumerRecord<String, String> record) {
            String value = record.value();
            check(FAILING, value);
            processed.get(FAILING).add(value);
            if (numberOf(value) % 2 == 1) {
                failed.put(record.partition() + "@" + record.offset(), requestOf(value));
                throw new IllegalStateException("refused " + value);
            }
        }

        @KafkaListener(id = BATCHES, topics = BATCHES, containerFactory = "batches")
        void batch(List<ConsumerRecord<String, String>> records) {
            holdThreadsOwn();
            KAFKA.forEach(records, record -> {
                check(BATCHES, record.value());
                processed.get(BATCHES).add(record.value());
            });
            expectThreadsOwn(BATCHES);
        }

        @KafkaListener(id = MESSAGES, topics = MESSAGES, containerFactory = "batches")
        void messages(List<Message<String>> messages) {
            holdThreadsOwn();
            for (Message<String> message : messages) {
                KAFKA.run(message.getHeaders(), () -> {
                    check(MESSAGES, message.getPayload());
                    processed.get(MESSAGES).add(message.getPayload());
                });
            }
            expectThreadsOwn(MESSAGES);
        }

        /** No interceptor runs for a batch listener: the listener gives its thread a store itself. */
        private static void holdThreadsOwn() {
            if (CONSUMER_THREAD.getStore() == null) {
                CONSUMER_THREAD.enterWith(THREADS_OWN);
            }
        }

        private static void expectThreadsOwn(String where) {
            if (REQUEST_ID.getStore() != null || !THREADS_OWN.equals(CONSUMER_THREAD.getStore())) {
                mismatches.add(where + ": the batch listener's thread holds " + REQUEST_ID.getStore() + "/"
                        + CONSUMER_THREAD.getStore() + " after its records");
            }
        }

        @KafkaListener(id = OBSERVED, topics = OBSERVED, containerFactory = "observed")
        void observed(ConsumerRecord<String, String> record) {
            check(OBSERVED, record.value());
            SpanContext current = Span.current().getSpanContext();
            SpanContext observation = observationSpans.get(record.value());
            String trace = traces.get(requestOf(record.value()));
            if (observation == null || !current.getSpanId().equals(observation.getSpanId())
                    || !current.getTraceId().equals(trace)) {
                mismatches.add(OBSERVED + " " + record.value() + " ran in span " + current + ", observation's: "
                        + observation + ", request's trace " + trace);
            }
            processed.get(OBSERVED).add(record.value());
        }
    }

    @Configuration
    @EnableKafka
    static class Config {
        @Bean
        ConsumerFactory<String, String> consumerFactory(Broker broker) {
            return new DefaultKafkaConsumerFactory<>(broker.consumerConfig("spring"));
        }

        @Bean
        ProducerFactory<String, String> producerFactory(Broker broker) {
            DefaultKafkaProducerFactory<String, String> factory = new DefaultKafkaProducerFactory<>(broker.producerConfig());
            factory.addPostProcessor(KAFKA::wrap);
            return factory;
        }

        @Bean
        KafkaTemplate<String, String> template(ProducerFactory<String, String> producers) {
            return new KafkaTemplate<>(producers);
        }

        private static ConcurrentKafkaListenerContainerFactory<String, String> factory(
                ConsumerFactory<String, String> consumers, boolean observed) {
            ConcurrentKafkaListenerContainerFactory<String, String> factory = new ConcurrentKafkaListenerContainerFactory<>();
            factory.setConsumerFactory(consumers);
            factory.setConcurrency(3);
            factory.setRecordInterceptor(new CompositeRecordInterceptor<>(
                    new ThreadProbe(observed), new ContextRecordInterceptor<>(KAFKA)));
            return factory;
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, String> records(ConsumerFactory<String, String> consumers) {
            return factory(consumers, false);
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, String> failing(ConsumerFactory<String, String> consumers) {
            ConcurrentKafkaListenerContainerFactory<String, String> factory = factory(consumers, false);
            // Spring's own recoverer: it logs the failed record and goes on
            DefaultErrorHandler errors = new DefaultErrorHandler(new FixedBackOff(0L, 0L));
            errors.setSeekAfterError(false); // recover and go on with the rest of the poll
            factory.setCommonErrorHandler(errors);
            return factory;
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, String> observed(ConsumerFactory<String, String> consumers) {
            ConcurrentKafkaListenerContainerFactory<String, String> factory = factory(consumers, true);
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(new TracingHandler());
            factory.getContainerProperties().setObservationEnabled(true);
            factory.getContainerProperties().setObservationRegistry(registry);
            return factory;
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, String> batches(ConsumerFactory<String, String> consumers) {
            ConcurrentKafkaListenerContainerFactory<String, String> factory = new ConcurrentKafkaListenerContainerFactory<>();
            factory.setConsumerFactory(consumers);
            factory.setBatchListener(true);
            return factory;
        }

        @Bean
        Listeners listeners() {
            return new Listeners();
        }
    }
}
