package dev.asynclocal.internal.diagnostics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR: the context-loss detector saw work run without the context it was created in. */
@Name("dev.asynclocal.ContextLoss")
@Label("Context Lost")
@Category({"asynclocal", "Context"})
@Description("Work that was created inside a context ran without it, or a storage that must always have a store"
        + " was read without one; the stack trace is where it happened")
final class LossEvent extends jdk.jfr.Event {
    @Label("Kind")
    @Description("WATCHED_WORK or EXPECTED_STORE")
    String kind;

    @Label("Storage")
    @Description("The AsyncLocalStorage read without a store (EXPECTED_STORE only)")
    String storage;

    @Label("Site")
    @Description("Where the work was created (WATCHED_WORK) or where the store was read (EXPECTED_STORE)")
    String site;

    @Label("Boundary")
    @Description("The frame that ran the work without its context")
    String boundary;

    @Label("Occurrences")
    @Description("How many times the context was lost at this site so far, this one included")
    long occurrences;
}
