package dev.asynclocal.slf4j;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter;
import org.slf4j.helpers.Reporter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Everything that needs Logback's classes, kept out of {@link AsyncLocalServiceProvider} so that
 * the provider links on class paths without Logback.
 */
final class LogbackSupport {
    private LogbackSupport() {
    }

    static MDCAdapter newAdapter() {
        return new LogbackMdcAdapter();
    }

    /**
     * Does what {@code LogbackServiceProvider.initialize()} does (Logback 1.5), with our adapter in
     * place of Logback's. Logback's provider cannot be told which adapter to use: it installs its
     * own, and replacing it afterwards leaves a "reset a second time" warning in the context's
     * status list. The adapter must be in place before configuration runs, because appenders may
     * log while they start.
     */
    static void initialize(SLF4JServiceProvider logbackProvider, MDCAdapter adapter) {
        if (!(logbackProvider.getLoggerFactory() instanceof LoggerContext)) {
            // Logback before 1.5 creates its context inside initialize(): let it, then swap the adapter
            logbackProvider.initialize();
            ((LoggerContext) logbackProvider.getLoggerFactory()).setMDCAdapter(adapter);
            return;
        }
        LoggerContext context = (LoggerContext) logbackProvider.getLoggerFactory();
        context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
        context.setMDCAdapter(adapter);
        try {
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                Reporter.error("asynclocal: failed to configure Logback", e);
            }
            if (!StatusUtil.contextHasStatusListener(context)) {
                StatusPrinter.printInCaseOfErrorsOrWarnings(context);
            }
        } catch (RuntimeException e) {
            // as Logback's provider does: a broken configuration must not break the application
            Reporter.error("asynclocal: failed to initialize Logback's LoggerContext", e);
        }
        context.start();
    }
}
