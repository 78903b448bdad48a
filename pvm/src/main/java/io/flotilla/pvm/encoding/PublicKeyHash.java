package io.flotilla.pvm.encoding;

import java.util.Arrays;

/**
 * An implicit account ({@code tz1}..{@code tz5}) in its 21-byte binary form: one tag byte
 * (0 ed25519, 1 secp256k1, 2 p256, 3 bls12-381, 4 ml-dsa-44) followed by the 20-byte hash.
 * Tag 4 ({@code tz5}) only exists in the newest protocols.
 */
public record PublicKeyHash(byte[] bytes) {
    public static final int LENGTH = 21;

    private static final Base58Check.Prefix[] BY_TAG = {
        Base58Check.Prefix.ED25519_PUBLIC_KEY_HASH,
        Base58Check.Prefix.SECP256K1_PUBLIC_KEY_HASH,
        Base58Check.Prefix.P256_PUBLIC_KEY_HASH,
        Base58Check.Prefix.BLS12_381_PUBLIC_KEY_HASH,
        Base58Check.Prefix.MLDSA44_PUBLIC_KEY_HASH,
    };

    public PublicKeyHash {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a public key hash has " + LENGTH + " bytes (tag + 20), got "
                    + (bytes == null ? "null" : String.valueOf(bytes.length)));
        }
        int tag = bytes[0] & 0xff;
        if (tag >= BY_TAG.length) {
            throw new IllegalArgumentException("unknown public key hash tag " + tag + " (expected 0..4)");
        }
        bytes = bytes.clone();
    }

    /** Builds the tagged form from a signature scheme's prefix and the 20-byte hash. */
    public static PublicKeyHash of(Base58Check.Prefix prefix, byte[] hash20) {
        for (int tag = 0; tag < BY_TAG.length; tag++) {
            if (BY_TAG[tag] == prefix) {
                if (hash20.length != 20) {
                    throw new IllegalArgumentException("a " + prefix.description() + " has 20 bytes, got " + hash20.length);
                }
                byte[] b = new byte[LENGTH];
                b[0] = (byte) tag;
                System.arraycopy(hash20, 0, b, 1, 20);
                return new PublicKeyHash(b);
            }
        }
        throw new IllegalArgumentException(prefix + " is not a public key hash prefix");
    }

    /** Parses {@code tz1...}, {@code tz2...}, {@code tz3...}, {@code tz4...} or {@code tz5...}. */
    public static PublicKeyHash fromBase58(String text) {
        if (text != null && text.length() >= 3) {
            for (Base58Check.Prefix p : BY_TAG) {
                if (text.startsWith(p.text())) {
                    return of(p, Base58Check.decode(p, text));
                }
            }
        }
        throw new IllegalArgumentException("not a valid public key hash: expected tz1, tz2, tz3, tz4 or tz5, got '"
                + text + "'");
    }

    /** The tz1 hash made of 20 zero bytes ({@code Signature.Public_key_hash.zero} in Octez). */
    public static PublicKeyHash zero() {
        return new PublicKeyHash(new byte[LENGTH]);
    }

    public int tag() {
        return bytes[0] & 0xff;
    }

    /** The Base58Check prefix of this hash's signature scheme. */
    public Base58Check.Prefix prefix() {
        return BY_TAG[tag()];
    }

    /** The 20-byte hash without the tag. */
    public byte[] hash() {
        return Arrays.copyOfRange(bytes, 1, LENGTH);
    }

    public String toBase58() {
        return Base58Check.encode(prefix(), hash());
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKeyHash other && Arrays.equals(bytes, other.bytes);
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
