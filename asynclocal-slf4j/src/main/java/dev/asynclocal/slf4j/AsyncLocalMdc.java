package dev.asynclocal.slf4j;

import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * SLF4J's MDC, kept in the asynclocal context instead of in a thread-local.
 *
 * <p>Once installed, {@link MDC#put MDC.put} and friends read and write a map that belongs to the
 * current asynclocal context, so every task, future stage or snapshot that carries the context
 * carries the MDC too, with nothing copied at each hop:
 * <pre>{@code
 * AsyncLocalMdc.install();                       // first thing in main, or -Dslf4j.provider=...
 * REQUEST_ID.run(id, () -> {
 *     MDC.put("requestId", id);                  // this context's MDC
 *     pool.execute(AsyncLocalStorage.bind(() -> log.info("done")));   // %X{requestId} = id
 * });                                            // and the put ends with the run
 * }</pre>
 *
 * <p>The rules:
 * <ul>
 *   <li>A change made inside a context ({@code run}, a propagated task, {@code Snapshot.run}, a
 *       {@code withScope} block) lasts until that context ends, like
 *       {@link dev.asynclocal.AsyncLocalStorage#enterWith enterWith}; code that runs after it on
 *       the same thread sees the MDC it had before.
 *   <li>Async operations created after a change see it; those created before do not.
 *   <li>Outside any context the MDC is plain per-thread SLF4J MDC: a value put on a thread stays
 *       on that thread until removed, and other threads never see it (except work that the thread
 *       hands off with its context, which sees the MDC as it was at the hand-off).
 * </ul>
 *
 * <p>Logback and Log4j 2 show the values in {@code %X} patterns unchanged; see
 * {@link AsyncLocalServiceProvider} for how each backend is reached.
 */
public final class AsyncLocalMdc {
    /** The system property SLF4J (2.0.9 and later) reads to choose its provider. */
    public static final String SLF4J_PROVIDER_PROPERTY = "slf4j.provider";

    private AsyncLocalMdc() {
    }

    /**
     * Makes SLF4J use {@link AsyncLocalServiceProvider}, then initializes SLF4J. Call it before
     * anything creates a logger, typically first in {@code main}; setting the system property
     * {@code slf4j.provider} on the command line does the same without code. Calling it again
     * does nothing.
     *
     * @throws IllegalStateException if the system property names another provider, or if SLF4J
     *     was already initialized with another provider (the MDC would stay per-thread)
     */
    public static void install() {
        String name = AsyncLocalServiceProvider.class.getName();
        String current = System.getProperty(SLF4J_PROVIDER_PROPERTY);
        if (current == null || current.isEmpty()) {
            System.setProperty(SLF4J_PROVIDER_PROPERTY, name);
        } else if (!current.equals(name)) {
            throw new IllegalStateException("system property " + SLF4J_PROVIDER_PROPERTY
                    + " already names another provider: " + current);
        }
        LoggerFactory.getILoggerFactory();
        MDCAdapter adapter = MDC.getMDCAdapter();
        if (!(adapter instanceof ContextMdc)) {
            throw new IllegalStateException("SLF4J was initialized before install() and uses "
                    + (adapter == null ? "no MDC adapter" : adapter.getClass().getName())
                    + "; call install() before the first logger is created, or set -D"
                    + SLF4J_PROVIDER_PROPERTY + "=" + name);
        }
    }

    /**
     * Whether SLF4J's {@link MDC} keeps its values in the asynclocal context. Initializes SLF4J
     * if nothing did yet.
     *
     * @return {@code true} when {@link AsyncLocalServiceProvider} is SLF4J's provider
     */
    public static boolean isInstalled() {
        return MDC.getMDCAdapter() instanceof ContextMdc;
    }
}
