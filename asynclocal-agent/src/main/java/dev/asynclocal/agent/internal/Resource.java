package dev.asynclocal.agent.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Objects;

/**
 * What a row of {@link TargetTable} captures, as hooks see it: the resource type, and when the
 * operation is finished for good where the row chooses that. The advice receives both as
 * parameters marked {@link Type} and {@link Ending}, filled in from the row when the installer
 * weaves it, so the table is the one place that says which resource each JDK method makes.
 *
 * <p>Rows whose capture waits in a side table (fork/join tasks, threads, timer tasks,
 * subscriptions) or rides a stage of a future have no ending of their own: the code that takes
 * the capture out finishes it (after the run, on cancellation, when the future completes).
 */
final class Resource {
    /** The advice parameter that receives the row's resource type, a {@code String}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface Type {
    }

    /** The advice parameter that receives the row's ending, an {@code int} ({@code Engine.FINISH_*}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface Ending {
    }

    final String type;
    /** {@code null} when the capture is finished by whoever takes it out. */
    final Integer ending;

    private Resource(String type, Integer ending) {
        this.type = Objects.requireNonNull(type);
        this.ending = ending;
    }

    /** A capture kept in a side table or on a stage: finished by the code that takes it out. */
    static Resource of(String type) {
        return new Resource(type, null);
    }

    /** A task or callback bound to its context, finished as {@code ending} says. */
    static Resource of(String type, int ending) {
        return new Resource(type, ending);
    }

    @Override
    public String toString() {
        return ending == null ? type : type + ", " + endingName(ending);
    }

    private static String endingName(int ending) {
        if (ending == dev.asynclocal.internal.Engine.FINISH_AFTER_RUN) {
            return "finished after the run";
        }
        if (ending == dev.asynclocal.internal.Engine.FINISH_ON_FAILURE) {
            return "finished when a run fails";
        }
        return "finished externally";
    }
}
