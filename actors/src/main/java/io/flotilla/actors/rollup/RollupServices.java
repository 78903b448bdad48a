package io.flotilla.actors.rollup;

import io.flotilla.actors.l1.L1Source;
import io.flotilla.persistence.chain.L2ChainStore;
import io.flotilla.pvm.PvmConfig;
import io.flotilla.pvm.PvmThreads;
import io.flotilla.pvm.reveal.PreimageSource;
import io.flotilla.pvm.tree.NodeStore;
import java.util.function.Function;

/**
 * What a rollup entity needs from its node: the L1 it follows, where tree nodes and L2 blocks are
 * stored, how kernels run, and each rollup's mode and operator account.
 */
public record RollupServices(L1Source l1, NodeStore contextStore, L2ChainStore chain, PvmConfig pvmConfig,
                             PvmThreads pvmThreads, PreimageSource preimages,
                             Function<String, RollupMode> modeOf, Function<String, String> operatorOf) {}
