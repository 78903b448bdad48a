package io.flotilla.pvm.encoding;

/** A smart rollup inbox hash (32 bytes, Base58Check prefix {@code srib1}). Immutable; {@link #bytes()} returns a copy. */
public final class InboxHash extends Base58Value {
    public static final int LENGTH = 32;

    public InboxHash(byte[] bytes) {
        super(Base58Check.Prefix.SMART_ROLLUP_INBOX, LENGTH, bytes);
    }

    /** Parses the Base58Check form, e.g. {@code srib1...}. */
    public static InboxHash fromBase58(String text) {
        return new InboxHash(Base58Check.decode(Base58Check.Prefix.SMART_ROLLUP_INBOX, text));
    }

    /** The value made of 32 zero bytes. */
    public static InboxHash zero() {
        return new InboxHash(new byte[LENGTH]);
    }
}
