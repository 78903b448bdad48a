package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** An originated contract hash (20 bytes, Base58Check prefix {@code KT1}). Immutable; {@link #bytes()} returns a copy. */
public record ContractHash(byte[] bytes) {
    public static final int LENGTH = 20;

    public ContractHash {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a " + Base58Check.Prefix.CONTRACT_HASH.description() + " has " + LENGTH
                    + " bytes, got " + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        bytes = bytes.clone();
    }

    /** Parses the Base58Check form, e.g. {@code KT1...}. */
    public static ContractHash fromBase58(String text) {
        return new ContractHash(Base58Check.decode(Base58Check.Prefix.CONTRACT_HASH, text));
    }

    /** The value made of 20 zero bytes. */
    public static ContractHash zero() {
        return new ContractHash(new byte[LENGTH]);
    }

    public String toBase58() {
        return Base58Check.encode(Base58Check.Prefix.CONTRACT_HASH, bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContractHash other && Arrays.equals(bytes, other.bytes);
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
