package dev.asynclocal.examples;

/**
 * The request-id logger with a {@code --trace FILE} flag: runs {@link RequestIdLogger} unchanged
 * and writes the async causality trace of its two requests (see {@link RequestTracing}).
 * <pre>
 * mvn -B -q -pl asynclocal-examples -am -DskipTests package exec:java \
 *     -Dexec.mainClass=dev.asynclocal.examples.TracedRequestIdLogger -Dexec.args="--trace target/requests.json"
 * </pre>
 */
public final class TracedRequestIdLogger {
    private TracedRequestIdLogger() {
    }

    public static void main(String[] args) throws InterruptedException {
        try (RequestTracing tracing = RequestTracing.fromArgs(args, RequestIdLogger.REQUEST_ID)) {
            RequestIdLogger.main(tracing.remainingArgs());
        }
    }
}
