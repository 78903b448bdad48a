package io.flotilla.pvm.encoding;

/** A smart rollup commitment hash (32 bytes, Base58Check prefix {@code src1}). Immutable; {@link #bytes()} returns a copy. */
public final class CommitmentHash extends Base58Value {
    public static final int LENGTH = 32;

    public CommitmentHash(byte[] bytes) {
        super(Base58Check.Prefix.SMART_ROLLUP_COMMITMENT, LENGTH, bytes);
    }

    /** Parses the Base58Check form, e.g. {@code src1...}. */
    public static CommitmentHash fromBase58(String text) {
        return new CommitmentHash(Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_COMMITMENT, text));
    }

    /** The value made of 32 zero bytes. */
    public static CommitmentHash zero() {
        return new CommitmentHash(new byte[LENGTH]);
    }
}
