package io.flotilla.pvm.encoding;

/** A smart rollup address (20 bytes, Base58Check prefix {@code sr1}). Immutable; {@link #bytes()} returns a copy. */
public final class RollupAddress extends Base58Value {
    public static final int LENGTH = 20;

    public RollupAddress(byte[] bytes) {
        super(Base58Check.Prefix.SMART_ROLLUP_ADDRESS, LENGTH, bytes);
    }

    /** Parses the Base58Check form, e.g. {@code sr1...}. */
    public static RollupAddress fromBase58(String text) {
        return new RollupAddress(Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_ADDRESS, text));
    }

    /** The value made of 20 zero bytes. */
    public static RollupAddress zero() {
        return new RollupAddress(new byte[LENGTH]);
    }
}
