package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** A smart rollup commitment hash (32 bytes, Base58Check prefix {@code src1}). Immutable; {@link #bytes()} returns a copy. */
public record CommitmentHash(byte[] bytes) {
    public static final int LENGTH = 32;

    public CommitmentHash {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a " + Base58Check.Prefix.SMART_ROLLUP_COMMITMENT.description() + " has " + LENGTH
                    + " bytes, got " + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        bytes = bytes.clone();
    }

    /** Parses the Base58Check form, e.g. {@code src1...}. */
    public static CommitmentHash fromBase58(String text) {
        return new CommitmentHash(Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_COMMITMENT, text));
    }

    /** The value made of 32 zero bytes. */
    public static CommitmentHash zero() {
        return new CommitmentHash(new byte[LENGTH]);
    }

    public String toBase58() {
        return Base58Check.encode(Base58Check.Prefix.SMART_ROLLUP_COMMITMENT, bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommitmentHash other && Arrays.equals(bytes, other.bytes);
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
