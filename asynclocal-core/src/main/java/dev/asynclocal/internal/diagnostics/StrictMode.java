package dev.asynclocal.internal.diagnostics;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Strict mode: {@code -Dasynclocal.strict=true}, read once when this class is initialised.
 *
 * <p>When on, every {@code withScope} records where it was opened, and its {@code Scope.close()}
 * throws an {@link IllegalStateException} naming that site and the close site when the scope is
 * closed on another thread, or out of order (while a scope opened after it on the same thread is
 * still open). Without strict mode an out-of-order close silently restores the frame saved at
 * open, which throws away whatever the inner scope, still open, was meant to keep.
 *
 * <p>When off, the only cost is the test of the {@code static final} {@link #ENABLED}, which the
 * JIT folds away: no stack is walked and no per-thread stack exists.
 *
 * <p>The per-thread stack of open scopes holds only JDK objects ({@code ArrayDeque} of
 * {@code StackTraceElement[]}, each array being both the open site and the identity of its
 * scope), so that a thread left in a pool never pins the class loader that loaded this library.
 */
public final class StrictMode {
    /** The system property that turns strict mode on. */
    public static final String PROPERTY = "asynclocal.strict";

    /** {@code true} when the JVM was started with {@code -Dasynclocal.strict=true}. */
    public static final boolean ENABLED = Boolean.getBoolean(PROPERTY);

    /** Frames kept per site: enough to see the caller's caller, small enough to stay cheap. */
    private static final int SITE_FRAMES = 16;

    private static final StackWalker WALKER = StackWalker.getInstance();

    /** The open scopes of each thread, innermost last; only touched when {@link #ENABLED}. */
    private static final ThreadLocal<ArrayDeque<StackTraceElement[]>> OPEN = new ThreadLocal<>();

    private StrictMode() {
    }

    /**
     * Records that a scope is being opened on this thread. Call only when {@link #ENABLED}.
     *
     * @return the open site, which the scope keeps to name itself at close
     */
    public static StackTraceElement[] opened() {
        StackTraceElement[] site = site();
        ArrayDeque<StackTraceElement[]> open = OPEN.get();
        if (open == null) {
            open = new ArrayDeque<>();
            OPEN.set(open);
        }
        open.addLast(site);
        return site;
    }

    /**
     * Checks a close on the opening thread, before anything is restored, and forgets the scope if
     * the close is in order. A scope this thread does not know passes.
     *
     * @param site what {@link #opened()} returned for the scope being closed
     * @throws IllegalStateException if a scope opened after it on this thread is still open;
     *     nothing is forgotten then, so the inner scope can still be closed first
     */
    public static void closing(StackTraceElement[] site) {
        ArrayDeque<StackTraceElement[]> open = OPEN.get();
        if (open == null) {
            return;
        }
        if (open.peekLast() == site) {
            open.removeLast();
        } else if (containsSame(open, site)) {
            StackTraceElement[] innermost = open.peekLast();
            IllegalStateException e = new IllegalStateException("withScope() scope closed out of order on thread "
                    + Thread.currentThread().getName() + ": the scope opened at " + describe(innermost)
                    + " was opened after it and is still open; close that one first."
                    + " Scope being closed: opened at " + describe(site) + ", closed at " + describe(site()));
            e.initCause(openedHere(site));
            throw e;
        }
        if (open.isEmpty()) {
            OPEN.remove();
        }
    }

    /**
     * The exception for a close on a thread other than the opening one.
     *
     * @param site the open site, or {@code null} if the scope was not recorded
     * @return the exception to throw
     */
    public static IllegalStateException wrongThread(StackTraceElement[] site) {
        String message = "a withScope() scope must be closed on the thread that opened it, not on "
                + Thread.currentThread().getName();
        if (site == null) {
            return new IllegalStateException(message);
        }
        IllegalStateException e = new IllegalStateException(message + ". Scope opened at " + describe(site)
                + ", closed at " + describe(site()));
        e.initCause(openedHere(site));
        return e;
    }

    /**
     * The number of scopes recorded as open on this thread; for tests.
     *
     * @return the count, 0 when strict mode is off
     */
    public static int openOnThisThread() {
        ArrayDeque<StackTraceElement[]> open = OPEN.get();
        return open == null ? 0 : open.size();
    }

    private static boolean containsSame(ArrayDeque<StackTraceElement[]> open, StackTraceElement[] site) {
        for (Iterator<StackTraceElement[]> it = open.descendingIterator(); it.hasNext();) {
            if (it.next() == site) {
                return true;
            }
        }
        return false;
    }

    /** A throwable whose stack is the open site, so a stack trace shows the whole call chain. */
    private static Throwable openedHere(StackTraceElement[] site) {
        Throwable t = new Throwable("withScope() opened here");
        t.setStackTrace(site);
        return t;
    }

    /** The caller's stack, without this library's own frames. */
    private static StackTraceElement[] site() {
        List<StackTraceElement> frames = WALKER.walk(s -> s
                .dropWhile(f -> isLibrary(f.getClassName()))
                .limit(SITE_FRAMES)
                .map(StackWalker.StackFrame::toStackTraceElement)
                .collect(Collectors.toList()));
        return frames.toArray(new StackTraceElement[0]);
    }

    /** A class of one of the adapter modules ({@code dev.asynclocal.opentelemetry}, ...). */
    private static boolean isAdapter(String className) {
        return className.startsWith("dev.asynclocal.") && className.lastIndexOf('.') > "dev.asynclocal".length();
    }

    private static boolean isLibrary(String className) {
        return className.startsWith("dev.asynclocal.internal.")
                || className.equals("dev.asynclocal.AsyncLocalStorage")
                || className.equals("dev.asynclocal.RestoringScope");
    }

    /**
     * The top frame of a site; when that is one of this project's adapters (an OpenTelemetry
     * {@code attach}, an MDC call), also the frame that called it, which is the user's code.
     */
    private static String describe(StackTraceElement[] site) {
        if (site.length == 0) {
            return "(unknown)";
        }
        String top = site[0].toString();
        if (site.length > 1 && isAdapter(site[0].getClassName())
                && !site[1].getClassName().equals(site[0].getClassName())) {
            return top + " (called from " + site[1] + ")";
        }
        return top;
    }
}
