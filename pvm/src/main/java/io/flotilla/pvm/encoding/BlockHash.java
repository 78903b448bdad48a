package io.flotilla.pvm.encoding;

/** A block hash (32 bytes, Base58Check prefix {@code B}). Immutable; {@link #bytes()} returns a copy. */
public final class BlockHash extends Base58Value {
    public static final int LENGTH = 32;

    public BlockHash(byte[] bytes) {
        super(Base58Check.Prefix.BLOCK_HASH, LENGTH, bytes);
    }

    /** Parses the Base58Check form, e.g. {@code B...}. */
    public static BlockHash fromBase58(String text) {
        return new BlockHash(Base58Check.decode(Base58Check.Prefix.BLOCK_HASH, text));
    }

    /** The value made of 32 zero bytes. */
    public static BlockHash zero() {
        return new BlockHash(new byte[LENGTH]);
    }
}
