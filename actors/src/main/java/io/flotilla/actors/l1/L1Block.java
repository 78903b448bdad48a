package io.flotilla.actors.l1;

import io.flotilla.pvm.util.Hex;
import java.util.List;

/**
 * An L1 block as Flotilla needs it: identity, chain link, time, and the operations that concern
 * smart rollups, in block order. Only applied operations appear.
 *
 * @param timestamp seconds since the epoch
 */
public record L1Block(int level, byte[] hash, byte[] predecessor, long timestamp, String protocol,
                      List<L1Operation> operations) {

    public L1Block {
        if (hash.length != 32 || predecessor.length != 32) {
            throw new IllegalArgumentException("block hashes are 32 bytes");
        }
        operations = List.copyOf(operations);
    }

    public String hashHex() {
        return Hex.encode(hash);
    }

    @Override
    public String toString() {
        return "L1Block{level=" + level + ", hash=" + Hex.encode(hash).substring(0, 12) + "..., ops=" + operations.size() + "}";
    }
}
