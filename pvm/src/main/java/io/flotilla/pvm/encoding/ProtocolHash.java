package io.flotilla.pvm.encoding;

/** A protocol hash (32 bytes, Base58Check prefix {@code P}). Immutable; {@link #bytes()} returns a copy. */
public final class ProtocolHash extends Base58Value {
    public static final int LENGTH = 32;

    public ProtocolHash(byte[] bytes) {
        super(Base58Check.Prefix.PROTOCOL_HASH, LENGTH, bytes);
    }

    /** Parses the Base58Check form, e.g. {@code P...}. */
    public static ProtocolHash fromBase58(String text) {
        return new ProtocolHash(Base58Check.decode(Base58Check.Prefix.PROTOCOL_HASH, text));
    }

    /** The value made of 32 zero bytes. */
    public static ProtocolHash zero() {
        return new ProtocolHash(new byte[LENGTH]);
    }
}
