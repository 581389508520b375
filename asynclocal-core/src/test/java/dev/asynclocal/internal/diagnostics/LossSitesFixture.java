package dev.asynclocal.internal.diagnostics;

/** Gives the detector's tests a fresh table of loss sites, with the production limit or a small one. */
public final class LossSitesFixture {
    private LossSitesFixture() {
    }

    /** Forgets every site: a fresh table with the production limit. */
    public static void clear() {
        LossDetection.sites = new LossSites(LossDetection.MAX_SITES);
    }

    /**
     * A fresh table that keeps at most {@code limit} sites.
     *
     * @param limit the number of sites kept
     */
    public static void limit(int limit) {
        LossDetection.sites = new LossSites(limit);
    }

    /** @return new sites not kept because the table was full */
    public static long dropped() {
        return LossDetection.sites.dropped();
    }
}
