package dev.asynclocal.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The set of enabled hooks, async ids, and the dispatch of hook events.
 *
 * <p>Cost model: with no hook enabled, every emit method returns after one volatile read of
 * {@link #enabled} finding an empty array, and {@link #anyEnabled()} is that same read. Enabling or
 * disabling replaces the array (copy on write), so a dispatch iterates over the array it started
 * with and is not disturbed by changes made meanwhile.
 *
 * <p>Nested dispatch: a hook callback may create resources or run code that emits further events.
 * Those nested events go to the hook set of the outermost dispatch on the same thread, as in Node
 * (a hook disabled inside {@code init} still sees the nested {@code init}; one enabled inside it
 * does not). Nesting deeper than {@link #MAX_DISPATCH_DEPTH}, or more than
 * {@link #MAX_NESTED_DISPATCHES} nested events under one outermost event, means a callback keeps
 * creating resources from inside callbacks; the excess events are not delivered and this is
 * reported once.
 */
public final class Hooks {
    static final int MAX_DISPATCH_DEPTH = 32;
    static final int MAX_NESTED_DISPATCHES = 10_000;

    private static final HookSink[] NONE = new HookSink[0];
    private static final AtomicLong IDS = new AtomicLong(ThreadState.TOP_LEVEL_ID);
    private static final Object LOCK = new Object();

    private static volatile HookSink[] enabled = NONE;
    private static volatile int destroyListeners;
    private static volatile HookErrorReporter reporter = Hooks::printToStderr;

    private Hooks() {
    }

    /**
     * Whether any hook is enabled now. One volatile read; the hot path's only hook cost.
     */
    public static boolean anyEnabled() {
        return enabled.length != 0;
    }

    /** Whether an enabled hook handles {@code destroy}; decides GC-destroy registration. */
    public static boolean anyDestroyListener() {
        return destroyListeners != 0;
    }

    /** A new async id from the one process-wide counter; ids increase and never repeat. */
    public static long newAsyncId() {
        return IDS.incrementAndGet();
    }

    public static void enable(HookSink sink) {
        synchronized (LOCK) {
            HookSink[] current = enabled;
            for (HookSink s : current) {
                if (s == sink) {
                    return;
                }
            }
            HookSink[] grown = Arrays.copyOf(current, current.length + 1);
            grown[current.length] = sink;
            if (sink.wantsDestroy()) {
                destroyListeners++;
            }
            enabled = grown;
        }
    }

    public static void disable(HookSink sink) {
        synchronized (LOCK) {
            HookSink[] current = enabled;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == sink) {
                    HookSink[] shrunk = new HookSink[current.length - 1];
                    System.arraycopy(current, 0, shrunk, 0, i);
                    System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                    if (sink.wantsDestroy()) {
                        destroyListeners--;
                    }
                    enabled = shrunk.length == 0 ? NONE : shrunk;
                    return;
                }
            }
        }
    }

    public static boolean isEnabled(HookSink sink) {
        for (HookSink s : enabled) {
            if (s == sink) {
                return true;
            }
        }
        return false;
    }

    /** Replaces the error reporter; {@code null} restores the default (one line on stderr). */
    public static HookErrorReporter setReporter(HookErrorReporter newReporter) {
        HookErrorReporter previous = reporter;
        reporter = newReporter == null ? Hooks::printToStderr : newReporter;
        return previous;
    }

    /*
     * The emit methods take the caller's state (which every caller already holds) so that
     * "no hook enabled" costs one volatile read and one field read, with no thread-local lookup.
     */

    public static void emitInit(Object[] state, long asyncId, String type, long triggerAsyncId, Object resource) {
        dispatch(state, Event.INIT, asyncId, type, triggerAsyncId, resource);
    }

    public static void emitBefore(Object[] state, long asyncId, String type) {
        dispatch(state, Event.BEFORE, asyncId, type, 0, null);
    }

    public static void emitAfter(Object[] state, long asyncId, String type) {
        dispatch(state, Event.AFTER, asyncId, type, 0, null);
    }

    public static void emitPromiseResolve(Object[] state, long asyncId, String type) {
        dispatch(state, Event.PROMISE_RESOLVE, asyncId, type, 0, null);
    }

    /** Delivers {@code destroy} later, on the library's destroy thread, never in the caller. */
    public static void queueDestroy(long asyncId, String type) {
        if (destroyListeners != 0) {
            DestroyQueue.add(asyncId, type);
        }
    }

    static void emitDestroyNow(Object[] state, long asyncId, String type) {
        dispatch(state, Event.DESTROY, asyncId, type, 0, null);
    }

    private enum Event {
        INIT("init"), BEFORE("before"), AFTER("after"), DESTROY("destroy"), PROMISE_RESOLVE("promiseResolve");

        final String callbackName;

        Event(String callbackName) {
            this.callbackName = callbackName;
        }
    }

    private static void dispatch(Object[] state, Event event, long asyncId, String type,
            long triggerAsyncId, Object resource) {
        int depth = ThreadState.dispatchDepth(state);
        HookSink[] hooks = depth == 0 ? enabled : ThreadState.dispatchHooks(state);
        if (hooks.length == 0) {
            return;
        }
        long nested = depth == 0 ? 0 : ThreadState.nestedDispatches(state) + 1;
        ThreadState.nestedDispatches(state, nested);
        if (nested > MAX_NESTED_DISPATCHES) {
            // Depth alone does not stop a callback that creates two resources per event (2^32
            // dispatches within the depth limit); a budget per outermost dispatch does.
            if (nested == MAX_NESTED_DISPATCHES + 1) {
                report(event.callbackName, type, asyncId, new IllegalStateException(
                        "hook callbacks caused more than " + MAX_NESTED_DISPATCHES + " nested events from one"
                                + " event: a callback keeps creating async resources; further nested events of"
                                + " this dispatch are not delivered"));
            }
            return;
        }
        if (depth >= MAX_DISPATCH_DEPTH) {
            // Spend the budget so the rest of this runaway dispatch is dropped without more reports.
            ThreadState.nestedDispatches(state, MAX_NESTED_DISPATCHES + 1);
            report(event.callbackName, type, asyncId, new IllegalStateException(
                    "hook callbacks nested " + MAX_DISPATCH_DEPTH + " deep: a callback keeps creating"
                            + " async resources; this " + event.callbackName + " was not delivered"));
            return;
        }
        HookSink[] outerHooks = ThreadState.dispatchHooks(state);
        ThreadState.dispatchHooks(state, hooks);
        ThreadState.dispatchDepth(state, depth + 1);
        try {
            for (HookSink hook : hooks) {
                try {
                    switch (event) {
                        case INIT:
                            hook.init(asyncId, type, triggerAsyncId, resource);
                            break;
                        case BEFORE:
                            hook.before(asyncId);
                            break;
                        case AFTER:
                            hook.after(asyncId);
                            break;
                        case DESTROY:
                            hook.destroy(asyncId);
                            break;
                        default:
                            hook.promiseResolve(asyncId);
                            break;
                    }
                } catch (Throwable error) {
                    report(event.callbackName, type, asyncId, error);
                }
            }
        } finally {
            ThreadState.dispatchDepth(state, depth);
            ThreadState.dispatchHooks(state, outerHooks);
        }
    }

    private static void report(String callback, String type, long asyncId, Throwable error) {
        try {
            reporter.report(callback, type, asyncId, error);
        } catch (Throwable reporterFailure) {
            // A failing reporter must not take the work down with it; fall back to stderr.
            error.addSuppressed(reporterFailure);
            printToStderr(callback, type, asyncId, error);
        }
    }

    static void printToStderr(String callback, String type, long asyncId, Throwable error) {
        try {
            java.io.StringWriter trace = new java.io.StringWriter();
            error.printStackTrace(new java.io.PrintWriter(trace));
            System.err.print("asynclocal: the " + callback + " hook callback threw for a " + type
                    + " resource (asyncId " + asyncId + "); the operation went on. " + trace);
            System.err.flush();
        } catch (Throwable ignored) {
            // Nothing sensible is left to do (stderr itself failed, or the JVM is out of memory).
        }
    }
}
