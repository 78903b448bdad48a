package io.flotilla.pvm.encoding;

/** A smart rollup PVM state hash (32 bytes, Base58Check prefix {@code srs1}). Immutable; {@link #bytes()} returns a copy. */
public final class StateHash extends Base58Value {
    public static final int LENGTH = 32;

    public StateHash(byte[] bytes) {
        super(Base58Check.Prefix.SMART_ROLLUP_STATE, LENGTH, bytes);
    }

    /** Parses the Base58Check form, e.g. {@code srs1...}. */
    public static StateHash fromBase58(String text) {
        return new StateHash(Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_STATE, text));
    }

    /** The value made of 32 zero bytes. */
    public static StateHash zero() {
        return new StateHash(new byte[LENGTH]);
    }
}
