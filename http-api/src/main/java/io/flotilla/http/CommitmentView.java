package io.flotilla.http;

import java.util.Objects;
import java.util.Optional;

/**
 * A commitment (Octez: compressed_state, inbox_level, predecessor, number_of_ticks) with its hash.
 * Hashes are hex.
 */
public record CommitmentView(
        String hashHex,
        String stateHashHex,
        int inboxLevel,
        String predecessorHex,
        long ticks,
        Optional<Integer> publishedAtLevel) {

    public CommitmentView {
        Objects.requireNonNull(hashHex, "hashHex");
        Objects.requireNonNull(stateHashHex, "stateHashHex");
        Objects.requireNonNull(predecessorHex, "predecessorHex");
        publishedAtLevel = publishedAtLevel == null ? Optional.empty() : publishedAtLevel;
    }
}
