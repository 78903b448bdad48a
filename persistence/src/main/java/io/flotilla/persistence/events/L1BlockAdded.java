package io.flotilla.persistence.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * An L1 block joined the journaled main chain as its new head (its predecessor is the previous head).
 *
 * @param level         the block's level
 * @param hash32        the block hash
 * @param predecessor32 the predecessor's hash
 * @param timestamp     seconds since the epoch
 * @param protocol      the protocol hash (base58)
 * @param block         the whole block (header and rollup-relevant operations) in the L1 codec's byte form
 *                      ({@code io.flotilla.actors.l1.L1Codec#encodeBlock}); opaque to this module
 */
public record L1BlockAdded(int level, byte[] hash32, byte[] predecessor32, long timestamp, String protocol,
                           byte[] block) implements L1ChainEvent {
    public L1BlockAdded {
        Events.level("level", level);
        Events.hash32("hash32", hash32);
        Events.hash32("predecessor32", predecessor32);
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(block, "block");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof L1BlockAdded e && level == e.level && Arrays.equals(hash32, e.hash32)
                && Arrays.equals(predecessor32, e.predecessor32) && timestamp == e.timestamp
                && protocol.equals(e.protocol) && Arrays.equals(block, e.block);
    }

    @Override
    public int hashCode() {
        return Objects.hash(level, Arrays.hashCode(hash32), Arrays.hashCode(predecessor32), timestamp, protocol,
                Arrays.hashCode(block));
    }

    @Override
    public String toString() {
        return "L1BlockAdded[level=" + level + ", hash=" + Events.hex(hash32) + ", predecessor="
                + Events.hex(predecessor32) + ", timestamp=" + timestamp + ", protocol=" + protocol + ", block="
                + block.length + " bytes]";
    }
}
