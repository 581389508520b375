package dev.asynclocal.internal.diagnostics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR: an asynchronous operation captured the current context (its {@code init}). */
@Name("dev.asynclocal.ContextCapture")
@Label("Context Bound")
@Category({"asynclocal", "Context"})
@Description("An asynchronous operation (task, stage, snapshot, resource) captured the current context where it was"
        + " created; the stack trace is the creation site")
final class CaptureEvent extends jdk.jfr.Event {
    @Label("Operation Type")
    @Description("The async resource type, e.g. Executor, CompletableFuture, Snapshot")
    String operationType;

    @Label("Async Id")
    long asyncId;

    @Label("Trigger Async Id")
    @Description("The resource whose code was running where this one was created; 1 at top level")
    long triggerAsyncId;

    @Label("Stores")
    @Description("How many AsyncLocalStorage stores the captured context holds")
    int stores;
}
