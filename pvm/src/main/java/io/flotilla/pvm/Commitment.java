package io.flotilla.pvm;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.tree.Hash;
import java.nio.ByteBuffer;

/**
 * A commitment to a PVM state, as L1 stores it: compressed state (32 B), inbox level (int32 BE),
 * predecessor commitment hash (32 B), number of ticks since the predecessor (int64 BE) — 76 bytes;
 * its hash is Blake2b-256 of those bytes.
 */
public record Commitment(Hash state, int inboxLevel, Hash predecessor, long ticks) {

    public static final int SIZE = 76;
    public static final Hash ZERO = Hash.fromBytes(new byte[32]);

    /** The genesis commitment of a rollup: the origination state, no predecessor, no ticks. */
    public static Commitment genesis(Hash state, int originationLevel) {
        return new Commitment(state, originationLevel, ZERO, 0);
    }

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).put(state.bytes()).putInt(inboxLevel).put(predecessor.bytes())
                .putLong(ticks).array();
    }

    public static Commitment decode(byte[] b) {
        if (b.length != SIZE) {
            throw new IllegalArgumentException("a commitment is " + SIZE + " bytes, got " + b.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        byte[] s = new byte[32];
        byte[] p = new byte[32];
        buf.get(s);
        int level = buf.getInt();
        buf.get(p);
        long ticks = buf.getLong();
        return new Commitment(Hash.fromBytes(s), level, Hash.fromBytes(p), ticks);
    }

    public Hash hash() {
        return Hash.fromBytes(Blake2b.hash256(encode()));
    }
}
