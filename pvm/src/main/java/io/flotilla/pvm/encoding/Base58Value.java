package io.flotilla.pvm.encoding;

import java.util.Arrays;

/**
 * A fixed-size value with a Base58Check form (block, commitment, state and inbox hashes, contract
 * and rollup addresses). Immutable; {@link #bytes()} returns a copy; equal when of the same class
 * with the same bytes; printed in Base58Check.
 */
public abstract class Base58Value {
    private final Base58Check.Prefix prefix;
    private final byte[] bytes;

    protected Base58Value(Base58Check.Prefix prefix, int length, byte[] bytes) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException("a " + prefix.description() + " has " + length + " bytes, got "
                    + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        this.prefix = prefix;
        this.bytes = bytes.clone();
    }

    public final byte[] bytes() {
        return bytes.clone();
    }

    public final String toBase58() {
        return Base58Check.encode(prefix, bytes);
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(bytes, ((Base58Value) o).bytes);
    }

    @Override
    public final int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public final String toString() {
        return toBase58();
    }
}
