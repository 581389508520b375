package dev.asynclocal.internal.diagnostics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR: a captured context was restored on a thread to run the operation's code; the event lasts
 * as long as that run (from {@code before} to {@code after}).
 */
@Name("dev.asynclocal.ContextRestore")
@Label("Context Restored")
@Category({"asynclocal", "Context"})
@Description("The context captured by an asynchronous operation was restored on this thread while the operation's"
        + " code ran; the duration is the run")
final class RestoreEvent extends jdk.jfr.Event {
    @Label("Operation Type")
    String operationType;

    @Label("Async Id")
    long asyncId;

    @Label("Trigger Async Id")
    long triggerAsyncId;
}
