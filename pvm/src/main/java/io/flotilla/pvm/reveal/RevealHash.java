package io.flotilla.pvm.reveal;

import io.flotilla.pvm.crypto.Blake2b;
import io.flotilla.pvm.util.Hex;
import java.util.Arrays;

/** The 33-byte reveal hash: scheme tag {@code 00} (Blake2b) + Blake2b-256 of the preimage. */
public final class RevealHash {
    public static final int SIZE = 33;

    private RevealHash() {}

    public static byte[] of(byte[] preimage) {
        byte[] h = new byte[SIZE];
        System.arraycopy(Blake2b.hash256(preimage), 0, h, 1, 32);
        return h;
    }

    public static boolean isWellFormed(byte[] hash) {
        return hash.length == SIZE && hash[0] == 0;
    }

    public static boolean matches(byte[] hash, byte[] preimage) {
        return isWellFormed(hash) && Arrays.equals(hash, of(preimage));
    }

    /** The file name under {@code <data-dir>/wasm_2_0_0/}: 66 lower-case hex digits. */
    public static String fileName(byte[] hash) {
        return Hex.encode(hash);
    }
}
