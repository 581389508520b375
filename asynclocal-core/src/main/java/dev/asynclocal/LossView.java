package dev.asynclocal;

import dev.asynclocal.internal.diagnostics.LossSite;
import java.util.List;

/** A site of the context-loss detector as the API shows it: {@link ContextLossDetector.Loss}. */
final class LossView implements ContextLossDetector.Loss {
    private static final Kind[] KINDS = Kind.values();
    private final LossSite site;

    private LossView(LossSite site) {
        this.site = site;
    }

    /** The one view of {@code site}. */
    static ContextLossDetector.Loss of(LossSite site) {
        return (ContextLossDetector.Loss) site.view(LossView::new);
    }

    @Override
    public Kind kind() {
        return KINDS[site.kind().ordinal()];
    }

    @Override
    public String storageName() {
        return site.storageName();
    }

    @Override
    public List<StackTraceElement> site() {
        return site.site();
    }

    @Override
    public StackTraceElement boundary() {
        return site.boundary();
    }

    @Override
    public String threadName() {
        return site.threadName();
    }

    @Override
    public long count() {
        return site.count();
    }

    @Override
    public String report() {
        return site.report();
    }

    @Override
    public String toString() {
        return site.toString();
    }
}
