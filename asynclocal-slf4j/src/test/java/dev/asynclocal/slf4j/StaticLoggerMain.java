package dev.asynclocal.slf4j;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A main class written the way logging code usually is: a {@code static final Logger}, then
 * {@code AsyncLocalMdc.install()} first in {@code main}. The logger field binds SLF4J before
 * {@code main} runs, so install must fail with one clear message; {@link Launcher} is the
 * documented way around it.
 */
public final class StaticLoggerMain {
    private static final Logger LOG = LoggerFactory.getLogger(StaticLoggerMain.class);

    private StaticLoggerMain() {
    }

    public static void main(String[] args) {
        AsyncLocalMdc.install();
        LOG.info("installed");
        System.out.println("installed=" + AsyncLocalMdc.isInstalled());
    }

    /** A main class with no logger field: installs, then hands over. */
    public static final class Launcher {
        private Launcher() {
        }

        public static void main(String[] args) {
            AsyncLocalMdc.install();
            App.run();
        }
    }

    /** The application, with its logger field. */
    static final class App {
        private static final Logger LOG = LoggerFactory.getLogger(App.class);

        static void run() {
            LOG.info("running");
            System.out.println("installed=" + AsyncLocalMdc.isInstalled());
        }
    }
}
