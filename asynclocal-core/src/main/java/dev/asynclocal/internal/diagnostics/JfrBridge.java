package dev.asynclocal.internal.diagnostics;

import dev.asynclocal.internal.AsyncOperation;
import dev.asynclocal.internal.HookSink;
import dev.asynclocal.internal.Hooks;
import dev.asynclocal.internal.ThreadState;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The context-loss detector's JFR events: {@link CaptureEvent} at each {@code init},
 * {@link RestoreEvent} around each run, {@link LossEvent} at each loss.
 *
 * <p>This is the only class of the library that refers to {@code jdk.jfr} (besides the event
 * classes), and it is loaded only when the detector is enabled: the module requires
 * {@code jdk.jfr} statically, so a runtime without it never touches it, and the caller treats a
 * {@link LinkageError} from the first call as "no JFR here".
 *
 * <p>Capture and restore events come from a hook sink. Enabling a hook turns every captured
 * operation into an async resource with an id, which costs something on every hop, so the sink is
 * enabled only while the detector is on <em>and</em> a flight recording is running; a recorder
 * listener follows recordings as they start and stop.
 */
public final class JfrBridge {
    private static final Sink SINK = new Sink();
    private static final Object LOCK = new Object();
    private static final AtomicBoolean LISTENING = new AtomicBoolean();
    private static volatile boolean active;

    private JfrBridge() {
    }

    /**
     * Starts emitting capture and restore events whenever a recording runs.
     *
     * @throws LinkageError if the runtime has no {@code jdk.jfr} module
     */
    public static void start() {
        active = true;
        if (!LISTENING.getAndSet(true)) {
            // Does not initialise JFR: if it is not yet initialised, we hear about it when it is.
            FlightRecorder.addListener(new Listener());
        }
        update();
    }

    /** Stops emitting capture and restore events. */
    public static void stop() {
        active = false;
        update();
    }

    /**
     * Emits a loss event, if a recording wants it.
     *
     * @param kind the kind of loss
     * @param storage the storage's name, or {@code null}
     * @param site the site, formatted only if the event is recorded
     * @param boundary the boundary frame, formatted, or {@code null}
     * @param occurrences the count at this site so far
     */
    public static void lost(String kind, String storage, java.util.function.Supplier<String> site, String boundary,
            long occurrences) {
        LossEvent event = new LossEvent();
        if (event.shouldCommit()) {
            event.kind = kind;
            event.storage = storage;
            event.site = site.get();
            event.boundary = boundary;
            event.occurrences = occurrences;
            event.commit();
        }
    }

    /** Whether capture and restore events are being emitted now (for tests). */
    static boolean sinkEnabled() {
        return Hooks.isEnabled(SINK);
    }

    private static void update() {
        // JFR calls the listener while holding its own locks: ask JFR first, then take ours, never
        // the other way round.
        boolean running = active && anyRecordingRunning();
        synchronized (LOCK) {
            if (running && active) {
                Hooks.enable(SINK);
            } else {
                Hooks.disable(SINK);
            }
        }
    }

    private static boolean anyRecordingRunning() {
        if (!FlightRecorder.isInitialized()) {
            return false;
        }
        for (Recording recording : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (recording.getState() == RecordingState.RUNNING) {
                return true;
            }
        }
        return false;
    }

    private static final class Listener implements FlightRecorderListener {
        @Override
        public void recorderInitialized(FlightRecorder recorder) {
            update();
        }

        @Override
        public void recordingStateChanged(Recording recording) {
            update();
        }
    }

    /** Turns hook events into capture and restore events. */
    private static final class Sink implements HookSink {
        /** Restore events begun on this thread and not yet ended, innermost last (null: not recorded). */
        private static final ThreadLocal<ArrayDeque<Object>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);
        private static final Object NOT_RECORDED = new Object();

        @Override
        public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            CaptureEvent event = new CaptureEvent();
            if (event.shouldCommit()) {
                event.operationType = type;
                event.asyncId = asyncId;
                event.triggerAsyncId = triggerAsyncId;
                // init runs on the creating thread, whose frame is the one just captured.
                event.stores = ThreadState.frame().size();
                event.commit();
            }
        }

        @Override
        public void before(long asyncId) {
            RestoreEvent event = new RestoreEvent();
            ArrayDeque<Object> open = OPEN.get();
            if (event.isEnabled()) {
                Object[] state = ThreadState.state();
                event.begin();
                event.asyncId = asyncId;
                event.triggerAsyncId = ThreadState.triggerAsyncId(state);
                event.operationType = typeOf(ThreadState.executionAsyncResource(state));
                open.addLast(event);
            } else {
                open.addLast(NOT_RECORDED);
            }
        }

        @Override
        public void after(long asyncId) {
            ArrayDeque<Object> open = OPEN.get();
            // Empty when the sink was enabled while the run was already in progress.
            Object event = open.pollLast();
            if (event instanceof RestoreEvent) {
                ((RestoreEvent) event).commit();
            }
        }

        @Override
        public void destroy(long asyncId) {
        }

        @Override
        public void promiseResolve(long asyncId) {
        }

        @Override
        public boolean wantsDestroy() {
            return false;
        }

        private static String typeOf(Object resource) {
            if (resource instanceof AsyncOperation) {
                return ((AsyncOperation) resource).type();
            }
            if (resource instanceof dev.asynclocal.AsyncResource) {
                return ((dev.asynclocal.AsyncResource) resource).type();
            }
            return resource.getClass().getSimpleName();
        }
    }
}
