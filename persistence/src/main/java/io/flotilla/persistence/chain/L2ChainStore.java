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
}
