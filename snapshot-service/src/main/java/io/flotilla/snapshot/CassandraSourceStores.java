package io.flotilla.snapshot;

import com.datastax.oss.driver.api.core.CqlSession;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.persistence.cassandra.CassandraL1BlockStore;
import io.flotilla.persistence.cassandra.CassandraL2ChainStore;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.chain.L2Block;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import io.flotilla.pvm.tree.Hash;
import io.flotilla.pvm.tree.NodeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@link SnapshotSourceStores} of a Cassandra keyspace: the journal through {@link CassandraJournalTables}, the L2
 * chain, context and L1 block stores through the node's own Cassandra stores. Cassandra has no read-only view
 * fixed in time; the cut rests on the write order instead (nodes, then the block, then the event; see
 * {@link SnapshotSourceStores}), and the export reads no block above the journaled head.
 */
final class CassandraSourceStores implements SnapshotSourceStores {
    private final CassandraStorage storage;

    private CassandraSourceStores(CassandraStorage storage) {
        this.storage = storage;
    }

    static CassandraSourceStores open(CassandraStorage.Settings settings) {
        // check before CassandraStorage.open, which would create a keyspace named by mistake
        try (CqlSession check = CassandraStorage.connect(settings)) {
            if (!CassandraJournalTables.hasTable(check, settings.keyspace(), "l2_blocks")) {
                throw new IllegalArgumentException("the Cassandra keyspace " + settings.keyspace() + " at "
                        + settings.contactPointsText() + " holds no Flotilla node's data (no such keyspace, or no "
                        + "l2_blocks table)");
            }
        }
        return new CassandraSourceStores(CassandraStorage.open(settings));
    }

    @Override
    public List<String> rollups() {
        return new ArrayList<>(storage.l2ChainStore().rollups());
    }

    @Override
    public RollupSnapshot journaledState(String rollup) {
        RollupJournal.Recorded r = CassandraJournalTables.read(storage.session(), storage.settings().keyspace(), rollup);
        return r == null ? null : r.state();
    }

    @Override
    public Chain chain(String rollup) {
        CassandraL2ChainStore chain = storage.l2ChainStore();
        return new Chain() {
            @Override
            public Optional<L2Block> get(int level) {
                return chain.get(rollup, level);
            }

            @Override
            public OptionalInt firstLevel() {
                return chain.firstLevel(rollup).map(OptionalInt::of).orElse(OptionalInt.empty());
            }

            @Override
            public OptionalInt lastLevel() {
                return chain.lastLevel(rollup).map(OptionalInt::of).orElse(OptionalInt.empty());
            }
        };
    }

    @Override
    public NodeStore context() {
        NodeStore context = storage.contextStore();
        return new NodeStore() {
            @Override
            public byte[] get(Hash h) {
                return context.get(h);
            }

            @Override
            public void put(Hash h, byte[] encoding) {
                throw new UnsupportedOperationException("a snapshot export only reads the context store");
            }
        };
    }

    @Override
    public L1Blocks l1Blocks() {
        CassandraL1BlockStore blocks = storage.l1BlockStore();
        return new L1Blocks() {
            @Override
            public Optional<L1Block> get(int level) {
                return blocks.get(level).map(L1Codec::decodeBlock);
            }

            @Override
            public OptionalInt lastLevel() {
                return blocks.lastLevel();
            }
        };
    }

    @Override
    public String describe() {
        return "Cassandra keyspace " + storage.settings().keyspace() + " at " + storage.settings().contactPointsText();
    }

    @Override
    public void close() {
        storage.close();
    }
}
