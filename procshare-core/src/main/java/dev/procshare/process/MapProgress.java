package dev.procshare.process;

/** Told how far a {@link ProcessPool#map} has got, after each chunk: for a progress bar. */
@FunctionalInterface
public interface MapProgress {
    /** {@code done} of {@code total} items have their results. Called from a pool thread. */
    void update(long done, long total);
}
