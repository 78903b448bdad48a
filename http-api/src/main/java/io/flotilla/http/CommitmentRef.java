package io.flotilla.http;

import java.util.Objects;

/** A commitment known by hash (hex) and inbox level. */
public record CommitmentRef(String hashHex, int level) {
    public CommitmentRef {
        Objects.requireNonNull(hashHex, "hashHex");
    }
}
