package dev.asynclocal.benchmarks.spring;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The application {@link dev.asynclocal.benchmarks.SpringBootThroughput} measures: Spring MVC on
 * Tomcat with one endpoint that does what the starter's load test does per hop. The handler logs a
 * line, hands work to an {@code @Async} method on Boot's executor, which logs a line too, and
 * answers with the request id that the hop found in its MDC.
 *
 * <p>It calls no asynclocal API, so the same code runs in every variant: with the starter, and
 * with the starter's auto-configurations excluded (the baseline). Only the answers differ: with
 * the starter the hop sees the request's id, without it {@code "null"}; the load generator checks
 * each answer against what its variant should give, so a variant that silently lost (or gained)
 * propagation fails the run instead of producing a number.
 *
 * <p>Log lines go through Logback with {@code %X{requestId}} in the pattern, to {@code /dev/null}
 * ({@code logback-throughput.xml}): the formatting and the MDC reads are measured, a disk is not.
 * The server prints {@code listening PORT BOOT SPRING} on standard output once it serves, and
 * stops when its standard input closes.
 */
@SpringBootApplication
@EnableAsync
public class ThroughputApplication {

    /**
     * Starts the server; extra {@code --name=value} arguments are Spring properties.
     *
     * @param args Spring arguments (the variant's properties)
     * @throws Exception if it does not start
     */
    public static void main(String[] args) throws Exception {
        SpringApplication application = new SpringApplication(ThroughputApplication.class);
        application.setDefaultProperties(Map.of(
                "server.port", "0",
                "spring.main.banner-mode", "off",
                "logging.config", "classpath:dev/asynclocal/benchmarks/spring/logback-throughput.xml",
                // Tomcat closes a keep-alive connection after 100 requests by default; the load
                // generator keeps its connections for the whole run
                "server.tomcat.max-keep-alive-requests", "-1"));
        try (ConfigurableApplicationContext context = application.run(args)) {
            System.out.println("listening " + context.getEnvironment().getProperty("local.server.port")
                    + " " + SpringBootVersion.getVersion() + " "
                    + DispatcherServlet.class.getPackage().getImplementationVersion());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the load generator closes our standard input
            }
        }
    }

    /** The hop: an {@code @Async} method on Boot's {@code applicationTaskExecutor}. */
    @Service
    public static class Hop {
        private static final Logger LOG = LoggerFactory.getLogger(Hop.class);

        /**
         * Logs and returns the request id this thread's MDC holds.
         *
         * @return the id, or {@code "null"}
         */
        @Async
        public CompletableFuture<String> requestIdSeen() {
            LOG.info("on the executor");
            return CompletableFuture.completedFuture(String.valueOf(MDC.get("requestId")));
        }
    }

    /** The endpoint. */
    @RestController
    public static class Work {
        private static final Logger LOG = LoggerFactory.getLogger(Work.class);
        private final Hop hop;

        Work(Hop hop) {
            this.hop = hop;
        }

        /**
         * Logs, hops, waits for the hop.
         *
         * @return what the hop saw
         * @throws Exception if the hop fails or takes 10 s
         */
        @GetMapping("/work")
        public String work() throws Exception {
            LOG.info("handling");
            return hop.requestIdSeen().get(10, TimeUnit.SECONDS);
        }
    }
}
