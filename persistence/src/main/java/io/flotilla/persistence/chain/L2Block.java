package io.flotilla.persistence.chain;

import io.flotilla.pvm.tree.Hash;
import java.util.List;
import java.util.Optional;

/**
 * A rollup's block for one L1 level: the inbox it consumed and the PVM state it led to. The state
 * itself lives in the context store under {@code stateHash}.
 *
 * @param messages  the level's messages without framing (external: {@code 01 ++ payload}; transfers)
 * @param ticks     Octez ticks of the level; {@code totalTicks} since origination
 * @param commitment the commitment made at this level, if it is a commitment level
 */
public record L2Block(int level, byte[] l1Hash, Hash inboxHash, List<byte[]> messages, Hash stateHash,
                      long ticks, long totalTicks, int outboxCount, int kernelRuns,
                      Optional<Hash> commitment) {

    public L2Block {
        messages = List.copyOf(messages);
    }

    /** The block's own hash: Blake2b-256 over its identity fields. */
    public Hash hash() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 32 + 32 + 32 + 8);
        b.putInt(level).put(l1Hash).put(inboxHash.bytes()).put(stateHash.bytes()).putLong(totalTicks);
        return Hash.of(b.array());
    }
}
