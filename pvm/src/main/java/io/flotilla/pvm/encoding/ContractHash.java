package io.flotilla.pvm.encoding;

/** An originated contract hash (20 bytes, Base58Check prefix {@code KT1}). Immutable; {@link #bytes()} returns a copy. */
public final class ContractHash extends Base58Value {
    public static final int LENGTH = 20;

    public ContractHash(byte[] bytes) {
        super(Base58Check.Prefix.CONTRACT_HASH, LENGTH, bytes);
    }

    /** Parses the Base58Check form, e.g. {@code KT1...}. */
    public static ContractHash fromBase58(String text) {
        return new ContractHash(Base58Check.decode(Base58Check.Prefix.CONTRACT_HASH, text));
    }

    /** The value made of 20 zero bytes. */
    public static ContractHash zero() {
        return new ContractHash(new byte[LENGTH]);
    }
}
