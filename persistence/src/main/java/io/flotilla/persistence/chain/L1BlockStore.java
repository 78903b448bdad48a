package io.flotilla.persistence.chain;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The L1 blocks the L1 chain actor journaled, as opaque bytes (the actors module's L1 codec form): a main chain by
 * level, and every block ever stored by hash (a block that a reorganisation took off the main chain can still be
 * found by hash). Written before the journal event that commits a block, so a block present here but above the
 * journaled head is not committed yet. Implementations are thread-safe; one writer (the chain actor).
 */
public interface L1BlockStore {

    /** Stores {@code block} under {@code hash32} and makes it the main-chain block at {@code level}. */
    void put(int level, byte[] hash32, byte[] block);

    /** The main-chain block at {@code level}. */
    Optional<byte[]> get(int level);

    /** The hash of the main-chain block at {@code level}. */
    Optional<byte[]> hashAt(int level);

    /** Any stored block by hash, on the main chain or not. */
    Optional<byte[]> getByHash(byte[] hash32);

    /** Takes the main-chain blocks above {@code level} off the main chain (they stay readable by hash). */
    void truncateAbove(int level);

    /** The highest main-chain level, if any. */
    OptionalInt lastLevel();

    /** The lowest main-chain level, if any. */
    OptionalInt firstLevel();
}
