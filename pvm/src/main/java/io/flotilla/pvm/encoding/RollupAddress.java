package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** A smart rollup address (20 bytes, Base58Check prefix {@code sr1}). Immutable; {@link #bytes()} returns a copy. */
public record RollupAddress(byte[] bytes) {
    public static final int LENGTH = 20;

    public RollupAddress {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a " + Base58Check.Prefix.SMART_ROLLUP_ADDRESS.description() + " has " + LENGTH
                    + " bytes, got " + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        bytes = bytes.clone();
    }

    /** Parses the Base58Check form, e.g. {@code sr1...}. */
    public static RollupAddress fromBase58(String text) {
        return new RollupAddress(Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_ADDRESS, text));
    }

    /** The value made of 20 zero bytes. */
    public static RollupAddress zero() {
        return new RollupAddress(new byte[LENGTH]);
    }

    public String toBase58() {
        return Base58Check.encode(Base58Check.Prefix.SMART_ROLLUP_ADDRESS, bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RollupAddress other && Arrays.equals(bytes, other.bytes);
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
