package dev.asynclocal.slf4j;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says so, once, on standard error, when this module is on the class path but Logback was set up
 * by its own SLF4J provider instead of {@link AsyncLocalServiceProvider}: the MDC would then be
 * Logback's per-thread one, and values put in a request would silently go missing on every other
 * thread the request runs on. Logback runs its configurators (this one first, by rank) whenever it
 * configures a context; this one only looks, and lets the others configure as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_TOP_PRIORITY)
public final class ProviderCheck extends ContextAwareBase implements Configurator {
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** Called by Logback's {@code ServiceLoader}. */
    public ProviderCheck() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!(context.getMDCAdapter() instanceof LogbackMdcAdapter) && WARNED.compareAndSet(false, true)) {
            System.err.println("asynclocal-slf4j is on the class path, but SLF4J uses Logback's own provider, so"
                    + " MDC values stay on the thread that put them and are lost on every other thread of a"
                    + " request. Start the JVM with -D" + AsyncLocalMdc.SLF4J_PROVIDER_PROPERTY + "="
                    + AsyncLocalServiceProvider.class.getName() + ", or call AsyncLocalMdc.install() before"
                    + " the first logger is created (see docs/logging.md).");
        }
        return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
}
