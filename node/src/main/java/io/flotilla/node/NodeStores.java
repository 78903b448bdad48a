package io.flotilla.node;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.actors.node.CassandraJournal;
import io.flotilla.actors.node.FleetNode;
import io.flotilla.persistence.cassandra.CassandraStorage;
import io.flotilla.persistence.chain.EmbeddedL2ChainStore;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.chain.L2ChainStore;
import io.flotilla.persistence.store.EmbeddedContextStore;
import io.flotilla.pvm.tree.NodeStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a node keeps PVM tree nodes (the context store), its L2 chains, and (through {@code backend}) its journal,
 * snapshots and L1 blocks.
 *
 * @param durable  whether the stores survive a restart; when they do not, the journal of a previous run
 *                 points at states that are gone, so the node starts from a fresh journal
 * @param backend  the journal and L1 block store; null for the embedded ones under the data directory
 * @param resource closed after the stores (the Cassandra session); may be null
 */
public record NodeStores(NodeStore context, L2ChainStore chain, boolean durable, FleetNode.Backend backend,
                         AutoCloseable resource) implements AutoCloseable {

    /** Stores with the embedded journal. */
    public NodeStores(NodeStore context, L2ChainStore chain, boolean durable) {
        this(context, chain, durable, null, null);
    }

    /**
     * The embedded stores of a data directory: the context store ({@code context/}, RocksDB) and the L2
     * chain ({@code chain/}, RocksDB). When the data directory belonged to another L1 chain, its journal
     * and L2 chains are first moved aside (tree nodes are content-addressed and stay valid).
     */
    public static NodeStores embedded(Path dataDir, L1Source l1) {
        String genesis = l1.block(0).map(L1Block::hashHex).orElse("unknown");
        try {
            java.nio.file.Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        NodeRuntime.prepareJournal(dataDir.toAbsolutePath(), genesis, true);
        EmbeddedContextStore context = EmbeddedContextStore.open(dataDir.resolve("context"));
        try {
            return new NodeStores(context, new EmbeddedL2ChainStore(dataDir.resolve("chain")), true);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /**
     * Everything in one Cassandra keyspace, shared by the nodes of a cluster: context store, L2 chains, L1 blocks,
     * and the journal and snapshots (pekko-persistence-cassandra). The keyspace is tied to {@code l1}'s chain on
     * first use; another chain is refused with a message.
     */
    public static NodeStores cassandra(L1Source l1, CassandraStorage.Settings settings) {
        String genesis = l1.block(0).map(L1Block::hashHex).orElse("unknown");
        CassandraStorage storage = CassandraStorage.open(settings);
        try {
            storage.bindToL1(genesis);
            FleetNode.Backend backend = new FleetNode.Backend(
                    CassandraJournal.config(List.of(settings.contactPointsText().split(",")), settings.keyspace(),
                            settings.replicationFactor()),
                    storage::l1BlockStore);
            return new NodeStores(storage.contextStore(), storage.l2ChainStore(), true, backend, storage);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /** Stores that live as long as this object (tests; a durable flag lets tests simulate a restart). */
    public static NodeStores inMemory(boolean pretendDurable) {
        return new NodeStores(NodeStore.inMemory(), new InMemoryL2ChainStore(), pretendDurable);
    }

    @Override
    public void close() {
        if (chain instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the chain store: " + e.getMessage(), e);
            }
        }
        if (context instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the context store: " + e.getMessage(), e);
            }
        }
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the stores: " + e.getMessage(), e);
            }
        }
    }
}
