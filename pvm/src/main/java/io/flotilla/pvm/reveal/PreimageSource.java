package io.flotilla.pvm.reveal;

import java.util.Optional;

/**
 * Where the reveal channel finds preimages. {@code hash} is the 33-byte reveal hash the kernel
 * passes: {@code 00} (Blake2b scheme) followed by the Blake2b-256 digest of the preimage.
 * Implementations return only preimages whose hash they have checked.
 */
public interface PreimageSource {

    /** Preimages are at most this large (the protocol bounds raw-data reveal proofs). */
    int MAX_PREIMAGE_SIZE = 4096;

    Optional<byte[]> find(byte[] hash);

    /** A source with no preimages. */
    static PreimageSource none() {
        return h -> Optional.empty();
    }
}
