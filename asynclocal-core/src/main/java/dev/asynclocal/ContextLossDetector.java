package dev.asynclocal;

import dev.asynclocal.internal.diagnostics.LossDetection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Finds where the context goes missing: reports work that was created inside a context and ran
 * without it, once per site, with the stack of the site and the boundary where it was lost, and
 * counts every occurrence. Off by default; on with {@code -Dasynclocal.detectLoss=true} or
 * {@link #enable()}. It reports, it never repairs: to carry the context across the boundary it
 * finds, use {@link AsyncExecutors}, {@link AsyncLocalStorage#bind}, {@link AsyncResource} or the
 * agent.
 * <pre>{@code
 * ContextLossDetector.enable();                 // or -Dasynclocal.detectLoss=true
 * ContextLossDetector.expectStore(REQUEST_ID);  // a request id must be there wherever it is read
 * executor = ContextLossDetector.guard(executor); // report tasks that run without their context
 * }</pre>
 * Each new site goes to the {@linkplain #setListener listener} (by default, standard error);
 * {@link #losses()} lists them all. While on, it also emits JFR events ({@code jfr print
 * --categories asynclocal}). docs/context-loss.md explains the reports, what the detector cannot
 * see, and its cost: off, one volatile read on the miss path of an expected storage.
 */
public final class ContextLossDetector {
    /** The system property that turns the detector on at startup: {@code -Dasynclocal.detectLoss=true}. */
    public static final String PROPERTY = LossDetection.PROPERTY;

    private ContextLossDetector() {
    }

    /** Turns detection on (and the JFR events with it, where available). Does nothing if it is on. */
    public static void enable() {
        LossDetection.enable();
    }

    /** Turns detection off. Sites seen so far stay in {@link #losses()}. */
    public static void disable() {
        LossDetection.disable();
    }

    /**
     * Whether detection is on.
     *
     * @return {@code true} between {@link #enable()} (or startup with the property) and {@link #disable()}
     */
    public static boolean isEnabled() {
        return LossDetection.isEnabled();
    }

    /**
     * Declares that {@code storage} must have a store wherever it is read: while the detector is
     * on, each {@link AsyncLocalStorage#getStore()} of it that finds none is a loss (inside
     * {@link AsyncLocalStorage#exit} and after {@link AsyncLocalStorage#disable()} too). For values
     * every unit of work sets before anything reads them: a request id, the current user.
     *
     * @param storage the storage
     * @throws NullPointerException if {@code storage} is {@code null}
     */
    public static void expectStore(AsyncLocalStorage<?> storage) {
        Objects.requireNonNull(storage, "storage");
        storage.expectStore();
    }

    /**
     * Tags {@code task} with the current context and the stack of this call: if it later runs in a
     * context that lacks a store it was created with, the loss is reported with this call as the
     * creation site. It propagates nothing. Returns {@code task} itself when the detector is off
     * or the context is empty.
     *
     * @param task the task
     * @return the tagged task, or {@code task}
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static Runnable watch(Runnable task) {
        return LossDetection.watch(task);
    }

    /**
     * Tags {@code task} as {@link #watch(Runnable)} does.
     *
     * @param task the task
     * @param <V> the result type
     * @return the tagged task, or {@code task}
     * @throws NullPointerException if {@code task} is {@code null}
     */
    public static <V> Callable<V> watch(Callable<V> task) {
        return LossDetection.watch(task);
    }

    /**
     * An executor that hands every task to {@code executor} {@linkplain #watch(Runnable) tagged}.
     * While the detector is off, tasks pass straight through.
     *
     * @param executor the executor to watch
     * @return the guarding executor
     * @throws NullPointerException if {@code executor} is {@code null}
     */
    public static Executor guard(Executor executor) {
        return LossDetection.guard(executor);
    }

    /**
     * Every site where a context was lost so far, in the order first seen (at most 1024 sites).
     *
     * @return the sites, an unmodifiable list
     */
    public static List<Loss> losses() {
        return LossDetection.losses().stream().map(LossView::of).collect(Collectors.toUnmodifiableList());
    }

    /**
     * Sets what receives the report of each new site, once per site, on the thread where the
     * loss happened. {@code null} restores the default, which prints {@link Loss#report()} on
     * standard error. An exception thrown by the listener is dropped.
     *
     * @param listener the listener, or {@code null} for the default
     */
    public static void setListener(Consumer<? super Loss> listener) {
        LossDetection.setListener(listener == null ? null : site -> listener.accept(LossView.of(site)));
    }

    /** One site where a context was lost, with how often it happened. */
    public interface Loss {
        /** What was lost where. Keep in the order of the detector's own kinds (LossSite.Kind). */
        enum Kind {
            /** A task tagged with {@code watch} or {@code guard} ran without its context. */
            WATCHED_WORK,
            /** A storage declared with {@code expectStore} was read without a store. */
            EXPECTED_STORE,
            /**
             * With the agent: a thread started inside a context let go of it because it began to
             * wait for work from elsewhere; the site is that wait (docs/agent.md, "New threads").
             */
            INHERITED_CONTEXT_RELEASED,
            /**
             * With the agent: a thread still in the context it inherited ran work captured in
             * another context; checked when the detector is on at startup or in strict mode.
             */
            INHERITED_CONTEXT_ON_WORKER
        }

        /** @return what kind of loss this is */
        Kind kind();

        /** @return the storage read without a store ({@code AsyncLocalStorage@<hash>} if unnamed), or {@code null} */
        String storageName();

        /**
         * @return the stack that identifies the site, innermost first: where the work was created
         *     ({@link Kind#WATCHED_WORK}) or where the store was read, down to the work that read it
         */
        List<StackTraceElement> site();

        /** @return the frame that ran the work without its context, or {@code null} if there is none */
        StackTraceElement boundary();

        /** @return the name of the thread where the loss was first seen */
        String threadName();

        /** @return how many times a context was lost at this site so far, at least 1 */
        long count();

        /** @return the printed report: what was lost, the site, the boundary and what to do; several lines */
        String report();
    }
}
