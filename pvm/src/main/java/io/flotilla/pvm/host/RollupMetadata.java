package io.flotilla.pvm.host;

import java.nio.ByteBuffer;

/** What {@code reveal_metadata} answers: the rollup address (20 bytes) and origination level. */
public record RollupMetadata(byte[] address, int originationLevel) {
    public RollupMetadata {
        if (address.length != 20) {
            throw new IllegalArgumentException("rollup address must be 20 bytes, got " + address.length);
        }
        address = address.clone();
    }

    /** The debugger's default: the all-zero address {@code sr163Lv22CdE8QagCwf48PWDTquk6isQwv57}, level 0. */
    public static final RollupMetadata DEFAULT = new RollupMetadata(new byte[20], 0);

    /** 24 bytes: address + origination level as int32 big-endian. */
    public byte[] encode() {
        return ByteBuffer.allocate(24).put(address).putInt(originationLevel).array();
    }
}
