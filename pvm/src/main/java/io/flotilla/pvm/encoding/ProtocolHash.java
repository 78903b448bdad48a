package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** A protocol hash (32 bytes, Base58Check prefix {@code P}). Immutable; {@link #bytes()} returns a copy. */
public record ProtocolHash(byte[] bytes) {
    public static final int LENGTH = 32;

    public ProtocolHash {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a " + Base58Check.Prefix.PROTOCOL_HASH.description() + " has " + LENGTH
                    + " bytes, got " + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        bytes = bytes.clone();
    }

    /** Parses the Base58Check form, e.g. {@code P...}. */
    public static ProtocolHash fromBase58(String text) {
        return new ProtocolHash(Base58Check.decode(Base58Check.Prefix.PROTOCOL_HASH, text));
    }

    /** The value made of 32 zero bytes. */
    public static ProtocolHash zero() {
        return new ProtocolHash(new byte[LENGTH]);
    }

    public String toBase58() {
        return Base58Check.encode(Base58Check.Prefix.PROTOCOL_HASH, bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProtocolHash other && Arrays.equals(bytes, other.bytes);
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
