package io.flotilla.node;

import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Source;
import io.flotilla.persistence.chain.EmbeddedL2ChainStore;
import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.chain.L2ChainStore;
import io.flotilla.persistence.store.EmbeddedContextStore;
import io.flotilla.pvm.tree.NodeStore;
import java.nio.file.Path;

/**
 * Where a node keeps PVM tree nodes (the context store) and its L2 chains.
 *
 * @param durable whether both survive a restart; when they do not, the journal of a previous run
 *                points at states that are gone, so the node starts from a fresh journal
 */
public record NodeStores(NodeStore context, L2ChainStore chain, boolean durable) implements AutoCloseable {

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
    }
}
