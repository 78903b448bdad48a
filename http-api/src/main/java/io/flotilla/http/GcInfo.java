package io.flotilla.http;

import java.util.Optional;

/** Garbage-collection state of a rollup (Octez {@code /local/gc_info}). */
public record GcInfo(
        int firstAvailableLevel,
        Optional<Integer> lastGcStartedAt,
        Optional<Integer> lastContextSplitLevel,
        Optional<Integer> lastSuccessfulGcTarget) {

    public GcInfo {
        lastGcStartedAt = lastGcStartedAt == null ? Optional.empty() : lastGcStartedAt;
        lastContextSplitLevel = lastContextSplitLevel == null ? Optional.empty() : lastContextSplitLevel;
        lastSuccessfulGcTarget = lastSuccessfulGcTarget == null ? Optional.empty() : lastSuccessfulGcTarget;
    }
}
