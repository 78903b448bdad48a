package io.flotilla.pvm.crypto;

import org.bouncycastle.crypto.digests.Blake2bDigest;

/** Blake2b-256, the hash of tree nodes, commitments and reveal preimages. */
public final class Blake2b {
    private Blake2b() {}

    public static byte[] hash256(byte[] data) {
        return hash256(data, 0, data.length);
    }

    public static byte[] hash256(byte[] data, int off, int len) {
        Blake2bDigest d = new Blake2bDigest(256);
        d.update(data, off, len);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** Blake2b-256 with an arbitrary output size in bytes (Tezos uses 20 bytes for addresses). */
    public static byte[] hash(byte[] data, int outBytes) {
        Blake2bDigest d = new Blake2bDigest(outBytes * 8);
        d.update(data, 0, data.length);
        byte[] out = new byte[outBytes];
        d.doFinal(out, 0);
        return out;
    }
}
