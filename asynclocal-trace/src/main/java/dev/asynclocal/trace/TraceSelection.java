package dev.asynclocal.trace;

import dev.asynclocal.AsyncLocalStorage;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which requests an {@link AsyncTracer} records. A <em>request</em> is a tree of async resources:
 * a root, created outside any recorded resource, and everything it caused, directly or through
 * other resources ({@code triggerAsyncId} links). The selection decides at each root's
 * {@code init} whether its tree is recorded; every resource triggered by a recorded one is
 * recorded too, so a request is recorded whole or not at all.
 * <ul>
 *   <li>{@link #all()}: every request; each root starts its own request.</li>
 *   <li>{@link #sample(double)}: a fixed fraction of the roots, spread evenly (with
 *       {@code 0.25}, every fourth root), for a long-running process.</li>
 *   <li>{@link #carrying(AsyncLocalStorage)}: resources created where the storage has a store,
 *       grouped into one request per store value: with a request-id storage, exactly one request
 *       per request id, whatever the number of roots it has.</li>
 * </ul>
 */
public final class TraceSelection {
    enum Mode { ALL, SAMPLE, CARRYING }

    final Mode mode;
    final double fraction;
    final AsyncLocalStorage<?> storage;
    final Predicate<Object> which;

    private TraceSelection(Mode mode, double fraction, AsyncLocalStorage<?> storage, Predicate<Object> which) {
        this.mode = mode;
        this.fraction = fraction;
        this.storage = storage;
        this.which = which;
    }

    /**
     * Every request.
     *
     * @return the selection
     */
    public static TraceSelection all() {
        return new TraceSelection(Mode.ALL, 1, null, null);
    }

    /**
     * A fraction of the requests, chosen deterministically: the n-th root is recorded when
     * {@code floor(n * fraction)} increases, so {@code 0.5} records every second request.
     *
     * @param fraction how many requests to record, more than 0 and at most 1
     * @return the selection
     * @throws IllegalArgumentException if {@code fraction} is not in (0, 1]
     */
    public static TraceSelection sample(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction);
        }
        return new TraceSelection(Mode.SAMPLE, fraction, null, null);
    }

    /**
     * The requests that carry a store of {@code storage}: a resource is a root of a recorded
     * request when {@code storage.getStore()} returns a non-null value where the resource is
     * created (a storage with a non-null default value therefore selects everything; use
     * {@link #carrying(AsyncLocalStorage, Predicate)} for it). Requests are grouped and labelled
     * by that value: {@code name=value}.
     *
     * @param storage the storage whose store marks a request
     * @return the selection
     * @throws NullPointerException if {@code storage} is {@code null}
     */
    public static TraceSelection carrying(AsyncLocalStorage<?> storage) {
        Objects.requireNonNull(storage, "storage");
        return new TraceSelection(Mode.CARRYING, 1, storage, store -> true);
    }

    /**
     * The requests whose store of {@code storage} matches {@code which}, as
     * {@link #carrying(AsyncLocalStorage)} but only for some values (one user, one tenant, the
     * requests with a debug flag). {@code which} is called for non-null stores only, on the thread
     * that creates each resource, inside the hook's {@code init}: keep it quick.
     *
     * @param storage the storage whose store marks a request
     * @param which which stores to record
     * @param <T> the store type
     * @return the selection
     * @throws NullPointerException if an argument is {@code null}
     */
    @SuppressWarnings("unchecked")
    public static <T> TraceSelection carrying(AsyncLocalStorage<T> storage, Predicate<? super T> which) {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(which, "which");
        return new TraceSelection(Mode.CARRYING, 1, storage, store -> ((Predicate<Object>) which).test(store));
    }

    @Override
    public String toString() {
        switch (mode) {
            case ALL:
                return "all";
            case SAMPLE:
                return "sample(" + fraction + ")";
            default:
                return "carrying(" + storage.name() + ")";
        }
    }
}
