package io.flotilla.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.chain.L2BlockCodec;
import io.flotilla.persistence.chain.L2ChainStore;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The L2 chains of a cluster in Cassandra: the table {@code l2_blocks}, partitioned by rollup and bucket of
 * 65,536 levels, values in the {@link L2BlockCodec} form (the embedded store's). A block written twice (a level
 * re-processed after a crash) is simply overwritten. Reorgs and GC remove levels with range and partition
 * tombstones only ({@link LevelIndex}). Thread-safe.
 */
public final class CassandraL2ChainStore implements L2ChainStore {
    static final String TABLE = "l2_blocks";
    private final LevelIndex index;

    CassandraL2ChainStore(CqlSession session, String keyspace) {
        this.index = new LevelIndex(session, keyspace, TABLE, "the Cassandra L2 chain store");
    }

    @Override
    public void put(String rollup, L2Block block) {
        index.put(rollup, block.level(), L2BlockCodec.encode(block));
    }

    @Override
    public Optional<L2Block> get(String rollup, int level) {
        return index.get(rollup, level).map(L2BlockCodec::decode);
    }

    @Override
    public void truncateAbove(String rollup, int level) {
        index.truncateAbove(rollup, level);
    }

    @Override
    public Optional<Integer> firstLevel(String rollup) {
        OptionalInt f = index.first(rollup);
        return f.isPresent() ? Optional.of(f.getAsInt()) : Optional.empty();
    }

    /** The highest stored level of {@code rollup}, if any. */
    public OptionalInt lastLevel(String rollup) {
        return index.last(rollup);
    }

    /** Removes the blocks below {@code level} (GC in history mode full; see CASSANDRA.md). */
    public void deleteBelow(String rollup, int level) {
        index.deleteBelow(rollup, level);
    }
}
