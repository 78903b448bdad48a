package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** A block hash (32 bytes, Base58Check prefix {@code B}). Immutable; {@link #bytes()} returns a copy. */
public record BlockHash(byte[] bytes) {
    public static final int LENGTH = 32;

    public BlockHash {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a " + Base58Check.Prefix.BLOCK_HASH.description() + " has " + LENGTH
                    + " bytes, got " + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        bytes = bytes.clone();
    }

    /** Parses the Base58Check form, e.g. {@code B...}. */
    public static BlockHash fromBase58(String text) {
        return new BlockHash(Base58Check.decode(Base58Check.Prefix.BLOCK_HASH, text));
    }

    /** The value made of 32 zero bytes. */
    public static BlockHash zero() {
        return new BlockHash(new byte[LENGTH]);
    }

    public String toBase58() {
        return Base58Check.encode(Base58Check.Prefix.BLOCK_HASH, bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockHash other && Arrays.equals(bytes, other.bytes);
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
