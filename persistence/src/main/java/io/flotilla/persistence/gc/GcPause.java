package io.flotilla.persistence.gc;

/**
 * A hold on {@link HistoryGc}: while at least one pause is open, no collection deletes anything (a collection that
 * was running when the pause was taken has stopped by the time {@link HistoryGc#pause} returns). Collections that
 * became due meanwhile run when the last pause closes. Use with try-with-resources:
 * <pre>{@code
 * try (GcPause p = gc.pause("snapshot export")) {
 *     copyAConsistentCut();
 * }
 * }</pre>
 */
public interface GcPause extends AutoCloseable {

    /** Why the GC is paused (shown in logs). */
    String reason();

    /** Releases this pause; idempotent. */
    @Override
    void close();
}
