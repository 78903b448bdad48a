package io.flotilla.pvm.tree;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.util.Hex;

import java.util.Arrays;

/** A 32-byte Blake2b-256 digest of a node encoding. Immutable; ordered as unsigned bytes. */
public final class Hash implements Comparable<Hash> {
    public static final int SIZE = 32;

    private final byte[] bytes;
    private final int hashCode;

    private Hash(byte[] owned) {
        this.bytes = owned;
        this.hashCode = ((owned[0] & 0xff) << 24) | ((owned[1] & 0xff) << 16) | ((owned[2] & 0xff) << 8) | (owned[3] & 0xff);
    }

    /** Blake2b-256 of {@code encoding}. */
    public static Hash of(byte[] encoding) {
        return new Hash(Blake2b.hash256(encoding));
    }

    public static Hash fromBytes(byte[] b32) {
        if (b32 == null || b32.length != SIZE) {
            throw new IllegalArgumentException("a hash has " + SIZE + " bytes, got " + (b32 == null ? "null" : b32.length));
        }
        return new Hash(b32.clone());
    }

    public static Hash fromHex(String hex) {
        return fromBytes(Hex.decode(hex));
    }

    static Hash read(byte[] src, int off) {
        return new Hash(Arrays.copyOfRange(src, off, off + SIZE));
    }

    void writeTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, SIZE);
    }

    /** True when this hash equals the 32 bytes of {@code src} at {@code off}. */
    boolean matches(byte[] src, int off) {
        return Arrays.equals(bytes, 0, SIZE, src, off, off + SIZE);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && h.hashCode == hashCode && Arrays.equals(h.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hashCode;
    }

    @Override
    public int compareTo(Hash o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }
}
