package dev.asynclocal.slf4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.helpers.Reporter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider that puts the asynclocal MDC in front of the application's real logging
 * backend: loggers and markers come from the backend, the MDC comes from the current asynclocal
 * context.
 *
 * <p>Select it with the system property SLF4J reads for that purpose (SLF4J 2.0.9 and later):
 * <pre>{@code
 * java -Dslf4j.provider=dev.asynclocal.slf4j.AsyncLocalServiceProvider ...
 * }</pre>
 * or call {@link AsyncLocalMdc#install()} before the first logger is created. It is deliberately
 * not registered with {@link ServiceLoader}: SLF4J takes the first provider it finds on the class
 * path, so a registered second provider would win or lose depending on the order of the jars.
 *
 * <p>The backend ("delegate") is the SLF4J provider that {@link ServiceLoader} finds next to this
 * one, or the class named by the system property {@value #DELEGATE_PROPERTY} when several are
 * present. How the MDC reaches log events depends on the backend:
 * <ul>
 *   <li>Logback: this provider configures Logback's {@code LoggerContext} itself, the way Logback's
 *       own provider does, with the asynclocal adapter as the context's MDC adapter, so
 *       {@code %X} reads the context's map without copying it.
 *   <li>Log4j 2 ({@code log4j-slf4j2-impl}): Log4j gathers context data from every
 *       {@code ContextDataProvider} on the class path, and this module registers
 *       {@link AsyncLocalContextDataProvider}, so {@code %X} sees the MDC next to Log4j's own
 *       {@code ThreadContext}.
 *   <li>No backend: loggers are no-ops, the MDC still works.
 * </ul>
 * Other backends get the asynclocal MDC through SLF4J's {@code MDC} class, but their log events
 * read their own MDC, so {@code %X} in their layouts does not see it.
 */
public final class AsyncLocalServiceProvider implements SLF4JServiceProvider {
    /**
     * The system property naming the SLF4J provider class to delegate to, for class paths that
     * hold more than one backend.
     */
    public static final String DELEGATE_PROPERTY = "asynclocal.slf4j.delegate";

    private static final String LOGBACK_PROVIDER = "ch.qos.logback.classic.spi.LogbackServiceProvider";
    private static final String REQUESTED_API_VERSION = "2.0.99";

    private final SLF4JServiceProvider delegate;
    private final boolean logback;
    private final MDCAdapter mdcAdapter;
    private final ILoggerFactory nopLoggerFactory;
    private final IMarkerFactory fallbackMarkerFactory;

    /**
     * Finds the backend provider. SLF4J calls this constructor; the MDC adapter must exist from
     * here on, because SLF4J binds it before calling {@link #initialize()}.
     */
    public AsyncLocalServiceProvider() {
        ClassLoader loader = AsyncLocalServiceProvider.class.getClassLoader();
        this.delegate = findDelegate(loader);
        this.logback = delegate != null && isLogback(delegate.getClass());
        this.mdcAdapter = logback ? LogbackSupport.newAdapter() : new AsyncLocalMdcAdapter();
        this.nopLoggerFactory = delegate == null ? new NOPLoggerFactory() : null;
        this.fallbackMarkerFactory = delegate == null ? new BasicMarkerFactory() : null;
    }

    @Override
    public void initialize() {
        if (delegate == null) {
            Reporter.warn("asynclocal: no SLF4J backend found beside " + getClass().getName()
                    + "; loggers are no-ops, the MDC works");
        } else if (logback) {
            LogbackSupport.initialize(delegate, mdcAdapter);
        } else {
            delegate.initialize();
        }
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return delegate == null ? nopLoggerFactory : delegate.getLoggerFactory();
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return delegate == null ? fallbackMarkerFactory : delegate.getMarkerFactory();
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdcAdapter;
    }

    @Override
    public String getRequestedApiVersion() {
        return delegate == null ? REQUESTED_API_VERSION : delegate.getRequestedApiVersion();
    }

    /**
     * The backend's provider, {@code null} when there is none.
     *
     * @return the provider this one delegates loggers and markers to
     */
    public SLF4JServiceProvider delegate() {
        return delegate;
    }

    @Override
    public String toString() {
        return "AsyncLocalServiceProvider[" + (delegate == null ? "no backend" : delegate.getClass().getName()) + "]";
    }

    private static SLF4JServiceProvider findDelegate(ClassLoader loader) {
        String named = System.getProperty(DELEGATE_PROPERTY);
        if (named != null && !named.isEmpty()) {
            try {
                Class<?> type = Class.forName(named, true, loader);
                return (SLF4JServiceProvider) type.getConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                Reporter.error("asynclocal: cannot use " + named + " (from " + DELEGATE_PROPERTY
                        + ") as the SLF4J backend; looking for one on the class path", e);
            }
        }
        List<SLF4JServiceProvider> found = new ArrayList<>();
        Iterator<SLF4JServiceProvider> it = ServiceLoader.load(SLF4JServiceProvider.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                SLF4JServiceProvider candidate = it.next();
                if (!(candidate instanceof AsyncLocalServiceProvider)) {
                    found.add(candidate);
                }
            } catch (ServiceConfigurationError e) {
                Reporter.error("asynclocal: an SLF4J provider could not be loaded", e);
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1) {
            StringBuilder names = new StringBuilder();
            for (SLF4JServiceProvider p : found) {
                names.append(names.length() == 0 ? "" : ", ").append(p.getClass().getName());
            }
            Reporter.warn("asynclocal: several SLF4J backends on the class path (" + names + "); using "
                    + found.get(0).getClass().getName() + ". Set " + DELEGATE_PROPERTY + " to choose.");
        }
        return found.get(0);
    }

    /** By name, so that this class loads and links without Logback on the class path. */
    private static boolean isLogback(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(LOGBACK_PROVIDER)) {
                return true;
            }
        }
        return false;
    }
}
