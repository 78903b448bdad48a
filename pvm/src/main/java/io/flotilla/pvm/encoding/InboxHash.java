package io.flotilla.pvm.encoding;

import java.util.Arrays;

/** A smart rollup inbox hash (32 bytes, Base58Check prefix {@code srib1}). Immutable; {@link #bytes()} returns a copy. */
public record InboxHash(byte[] bytes) {
    public static final int LENGTH = 32;

    public InboxHash {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a " + Base58Check.Prefix.SMART_ROLLUP_INBOX.description() + " has " + LENGTH
                    + " bytes, got " + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        bytes = bytes.clone();
    }

    /** Parses the Base58Check form, e.g. {@code srib1...}. */
    public static InboxHash fromBase58(String text) {
        return new InboxHash(Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_INBOX, text));
    }

    /** The value made of 32 zero bytes. */
    public static InboxHash zero() {
        return new InboxHash(new byte[LENGTH]);
    }

    public String toBase58() {
        return Base58Check.encode(Base58Check.Prefix.SMART_ROLLUP_INBOX, bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InboxHash other && Arrays.equals(bytes, other.bytes);
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
