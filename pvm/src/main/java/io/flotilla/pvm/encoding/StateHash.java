package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** A smart rollup PVM state hash (32 bytes, Base58Check prefix {@code srs1}). Immutable; {@link #bytes()} returns a copy. */
public record StateHash(byte[] bytes) {
    public static final int LENGTH = 32;

    public StateHash {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a " + Base58Check.Prefix.SMART_ROLLUP_STATE.description() + " has " + LENGTH
                    + " bytes, got " + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        bytes = bytes.clone();
    }

    /** Parses the Base58Check form, e.g. {@code srs1...}. */
    public static StateHash fromBase58(String text) {
        return new StateHash(Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_STATE, text));
    }

    /** The value made of 32 zero bytes. */
    public static StateHash zero() {
        return new StateHash(new byte[LENGTH]);
    }

    public String toBase58() {
        return Base58Check.encode(Base58Check.Prefix.SMART_ROLLUP_STATE, bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StateHash other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toBase58();
    }
}
