package io.flotilla.node;

import io.flotilla.persistence.chain.InMemoryL2ChainStore;
import io.flotilla.persistence.chain.L2ChainStore;
import io.flotilla.pvm.tree.NodeStore;
import java.nio.file.Path;

/**
 * Where a node keeps PVM tree nodes (the context store) and its L2 chains.
 *
 * @param durable whether both survive a restart; when they do not, the journal of a previous run
 *                points at states that are gone, so the node starts from a fresh journal
 */
public record NodeStores(NodeStore context, L2ChainStore chain, boolean durable) {

    /**
     * The embedded stores of a data directory. For now both are in memory (the embedded context store
     * and the on-disk chain store are being built in the persistence module): swap them in here.
     */
    public static NodeStores embedded(Path dataDir) {
        return new NodeStores(NodeStore.inMemory(), new InMemoryL2ChainStore(), false);
    }

    /** Stores that live as long as this object (tests; a durable flag lets tests simulate a restart). */
    public static NodeStores inMemory(boolean pretendDurable) {
        return new NodeStores(NodeStore.inMemory(), new InMemoryL2ChainStore(), pretendDurable);
    }
}
