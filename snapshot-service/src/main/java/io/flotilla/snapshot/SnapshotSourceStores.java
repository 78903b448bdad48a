package io.flotilla.snapshot;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.pvm.tree.NodeStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The stores a snapshot export reads one rollup from: its journaled state, its L2 chain, the context store (tree
 * nodes) and the journaled L1 blocks. Two kinds: a data directory's embedded stores ({@link #embedded}) and a
 * Cassandra keyspace ({@link #cassandra}).
 *
 * <p>The exporter's consistent cut relies on the call order: {@link #journaledState} first, then {@link #chain} and
 * {@link #context}. A node writes tree nodes, then the L2 block, then the journal event, so whatever the stores
 * show after the journal was read holds every block up to the journaled head (and tree nodes are
 * content-addressed and write-once). Implementations open what they read lazily, in that order.
 */
public interface SnapshotSourceStores extends AutoCloseable {

    /** The L2 chain of one rollup. */
    interface Chain {
        Optional<L2Block> get(int level);

        OptionalInt firstLevel();

        OptionalInt lastLevel();
    }

    /** The journaled L1 main chain, by level. */
    interface L1Blocks {
        Optional<L1Block> get(int level);

        OptionalInt lastLevel();
    }

    /** The rollups these stores hold. */
    List<String> rollups();

    /** The rollup entity's state as journaled (latest snapshot plus the events after it); null if none. */
    RollupSnapshot journaledState(String rollup);

    /** The rollup's L2 chain, read-only. */
    Chain chain(String rollup);

    /** The context store, refusing writes. */
    NodeStore context();

    /** The journaled L1 blocks, or null when these stores have none. */
    L1Blocks l1Blocks();

    /** Where the stores are, for messages. */
    String describe();

    @Override
    void close();

    /** The embedded stores of a data directory (RocksDB opened read-only, the H2 journal read directly or copied). */
    static SnapshotSourceStores embedded(Path dataDir) {
        return new EmbeddedSourceStores(dataDir);
    }

    /**
     * The stores of a Cassandra keyspace written by {@code flotilla run --storage cassandra}; refuses a keyspace that
     * does not exist or holds no Flotilla tables (it creates nothing).
     */
    static SnapshotSourceStores cassandra(CassandraStorage.Settings settings) {
        return CassandraSourceStores.open(settings);
    }
}
