package io.flotilla.pvm.encoding;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Tezos Base58Check: {@code base58(prefix ‖ payload ‖ sha256(sha256(prefix ‖ payload))[0..4])}.
 * The prefix bytes make the text start with a recognisable string such as {@code tz1} or {@code sr1}.
 */
public final class Base58Check {

    /** The Tezos prefixes this package understands (bytes from Octez {@code src/lib_crypto/base58.ml}). */
    public enum Prefix {
        BLOCK_HASH("B", "block hash", 32, 1, 52),
        PROTOCOL_HASH("P", "protocol hash", 32, 2, 170),
        CONTRACT_HASH("KT1", "KT1 contract hash", 20, 2, 90, 121),
        ED25519_PUBLIC_KEY_HASH("tz1", "tz1 public key hash", 20, 6, 161, 159),
        SECP256K1_PUBLIC_KEY_HASH("tz2", "tz2 public key hash", 20, 6, 161, 161),
        P256_PUBLIC_KEY_HASH("tz3", "tz3 public key hash", 20, 6, 161, 164),
        BLS12_381_PUBLIC_KEY_HASH("tz4", "tz4 public key hash", 20, 6, 161, 166),
        MLDSA44_PUBLIC_KEY_HASH("tz5", "tz5 public key hash", 20, 6, 161, 169),
        SMART_ROLLUP_ADDRESS("sr1", "sr1 address", 20, 6, 124, 117),
        SMART_ROLLUP_COMMITMENT("src1", "src1 commitment hash", 32, 17, 165, 134, 138),
        SMART_ROLLUP_STATE("srs1", "srs1 state hash", 32, 17, 165, 235, 240),
        SMART_ROLLUP_INBOX("srib1", "srib1 inbox hash", 32, 3, 255, 138, 145, 110);

        private final String text;
        private final String description;
        private final int payloadLength;
        private final byte[] bytes;

        Prefix(String text, String description, int payloadLength, int... bytes) {
            this.text = text;
            this.description = description;
            this.payloadLength = payloadLength;
            this.bytes = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                this.bytes[i] = (byte) bytes[i];
            }
        }

        /** The text every encoded value starts with, e.g. {@code "sr1"}. */
        public String text() {
            return text;
        }

        /** What the value is, for error messages, e.g. {@code "sr1 address"}. */
        public String description() {
            return description;
        }

        /** Expected number of payload bytes (without prefix and checksum). */
        public int payloadLength() {
            return payloadLength;
        }

        /** The raw prefix bytes. */
        public byte[] bytes() {
            return bytes.clone();
        }

        boolean matches(byte[] raw) {
            if (raw.length < bytes.length) {
                return false;
            }
            for (int i = 0; i < bytes.length; i++) {
                if (raw[i] != bytes[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A decoded value whose kind was recognised from its prefix. */
    public record Decoded(Prefix prefix, byte[] payload) {
        public Decoded {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Decoded d && d.prefix == prefix && Arrays.equals(d.payload, payload);
        }

        @Override
        public int hashCode() {
            return prefix.hashCode() * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Decoded[" + prefix + ", " + io.flotilla.pvm.util.Hex.encode(payload) + "]";
        }
    }

    private Base58Check() {}

    /** Encodes {@code payload}, which must have the prefix's expected length. */
    public static String encode(Prefix prefix, byte[] payload) {
        if (payload.length != prefix.payloadLength) {
            throw new IllegalArgumentException("a " + prefix.description + " has " + prefix.payloadLength
                    + " bytes, got " + payload.length);
        }
        byte[] raw = new byte[prefix.bytes.length + payload.length + 4];
        System.arraycopy(prefix.bytes, 0, raw, 0, prefix.bytes.length);
        System.arraycopy(payload, 0, raw, prefix.bytes.length, payload.length);
        byte[] checksum = checksum(raw, raw.length - 4);
        System.arraycopy(checksum, 0, raw, raw.length - 4, 4);
        return Base58.encode(raw);
    }

    /**
     * Decodes text that must be of the given kind; returns the payload. Errors read like
     * {@code "not a valid sr1 address: bad checksum"}.
     */
    public static byte[] decode(Prefix prefix, String text) {
        if (text == null) {
            throw new IllegalArgumentException("not a valid " + prefix.description + ": null");
        }
        byte[] raw;
        try {
            raw = Base58.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "not a valid " + prefix.description + ": " + e.getMessage() + " in '" + text + "'", e);
        }
        if (raw.length < 4) {
            throw new IllegalArgumentException("not a valid " + prefix.description + ": too short: '" + text + "'");
        }
        verifyChecksum(raw, prefix.description, text);
        if (!prefix.matches(raw)) {
            throw new IllegalArgumentException("not a valid " + prefix.description
                    + ": wrong prefix, expected it to start with '" + prefix.text + "': '" + text + "'");
        }
        int len = raw.length - 4 - prefix.bytes.length;
        if (len != prefix.payloadLength) {
            throw new IllegalArgumentException("not a valid " + prefix.description + ": payload has " + len
                    + " bytes, expected " + prefix.payloadLength + ": '" + text + "'");
        }
        return Arrays.copyOfRange(raw, prefix.bytes.length, prefix.bytes.length + len);
    }

    /** Decodes text of any known kind, recognised by prefix and payload length. */
    public static Decoded decodeAny(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not a valid base58check value: null");
        }
        byte[] raw;
        try {
            raw = Base58.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid base58check value: " + e.getMessage(), e);
        }
        if (raw.length < 4) {
            throw new IllegalArgumentException("not a valid base58check value: too short: '" + text + "'");
        }
        verifyChecksum(raw, "base58check value", text);
        for (Prefix p : Prefix.values()) {
            if (p.matches(raw) && raw.length - 4 - p.bytes.length == p.payloadLength) {
                return new Decoded(p, Arrays.copyOfRange(raw, p.bytes.length, p.bytes.length + p.payloadLength));
            }
        }
        throw new IllegalArgumentException("not a valid base58check value: unknown prefix: '" + text + "'");
    }

    private static void verifyChecksum(byte[] raw, String what, String text) {
        byte[] expected = checksum(raw, raw.length - 4);
        for (int i = 0; i < 4; i++) {
            if (expected[i] != raw[raw.length - 4 + i]) {
                throw new IllegalArgumentException("not a valid " + what + ": bad checksum: '" + text + "'");
            }
        }
    }

    private static byte[] checksum(byte[] data, int len) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(data, 0, len);
            byte[] first = sha.digest();
            return sha.digest(first);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
