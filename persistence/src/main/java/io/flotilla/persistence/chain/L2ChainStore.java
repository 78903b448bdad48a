package io.flotilla.persistence.chain;

import java.util.Optional;

/**
 * The L2 chain of each rollup, by level: a read model written before the journal event that
 * commits a block (so re-processing a level after a crash simply overwrites it).
 */
public interface L2ChainStore {

    void put(String rollup, L2Block block);

    Optional<L2Block> get(String rollup, int level);

    /** Removes the blocks above {@code level} (a reorg reverted them). */
    void truncateAbove(String rollup, int level);

    /** The lowest level still kept (after GC), if any block is. */
    Optional<Integer> firstLevel(String rollup);

    /** The highest level kept, if any block is. */
    default Optional<Integer> lastLevel(String rollup) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not list levels");
    }

    /**
     * Removes the blocks below {@code level} (history mode full: GC up to the LCC). Durable on return; idempotent,
     * so a collection interrupted by a crash simply runs again.
     */
    default void deleteBelow(String rollup, int level) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not delete history");
    }

    /** Every rollup with at least one stored block. */
    default java.util.Set<String> rollups() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not list rollups");
    }
}
