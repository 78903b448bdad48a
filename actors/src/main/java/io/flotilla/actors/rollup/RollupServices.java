package io.flotilla.actors.rollup;

import io.flotilla.actors.l1.L1Source;
import io.flotilla.persistence.chain.L2ChainStore;
import io.flotilla.persistence.gc.HistoryGc;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.NodeStore;
import java.util.function.Function;

/**
 * What a rollup entity needs from its node: the L1 it follows, where tree nodes and L2 blocks are
 * stored, how kernels run, each rollup's mode and operator account, and the node's history GC
 * ({@code gc}; null: every rollup in archive mode, nothing collected).
 */
public record RollupServices(L1Source l1, NodeStore contextStore, L2ChainStore chain, PvmConfig pvmConfig,
                             PvmThreads pvmThreads, PreimageSource preimages,
                             Function<String, RollupMode> modeOf, Function<String, String> operatorOf,
                             HistoryGc gc) {

    /** Without a history GC (archive mode for every rollup). */
    public RollupServices(L1Source l1, NodeStore contextStore, L2ChainStore chain, PvmConfig pvmConfig,
                          PvmThreads pvmThreads, PreimageSource preimages,
                          Function<String, RollupMode> modeOf, Function<String, String> operatorOf) {
        this(l1, contextStore, chain, pvmConfig, pvmThreads, preimages, modeOf, operatorOf, null);
    }

    /** The same services with {@code gc}. */
    public RollupServices withGc(HistoryGc gc) {
        return new RollupServices(l1, contextStore, chain, pvmConfig, pvmThreads, preimages, modeOf, operatorOf, gc);
    }
}
