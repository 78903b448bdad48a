package io.flotilla.pvm.tree;

import io.flotilla.pvm.crypto.Blake2b;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A proof that a leaf of the tree with a given root hash holds a given value: the encodings of the directories from
 * the root down to the leaf (for a paged directory: its top page followed by the pages on the path to the step, from
 * the top down), the leaf's encoding and, for a chunked value, the encodings of the value's index nodes and chunks in
 * pre-order (node, then children left to right).
 *
 * <p>Serialized form: {@code 0x01 (version) | u32 n | n x (u32 len | len bytes)}.
 *
 * <p>The verifier is standalone: it only needs Blake2b-256 and the encoding rules documented in {@link Codec}.
 */
public final class MerkleProof {
    private static final int VERSION = 1;
    private static final int CHUNK = 4096;
    private static final int FANOUT = 32;
    private static final int INLINE_MAX = 4096;
    private static final int HASH = 32;
    private static final int SMALL_DIR_MAX = 256;
    private static final int PAGE_MAX_HEIGHT = 40;

    private final List<byte[]> encodings;

    MerkleProof(List<byte[]> encodings) {
        this.encodings = List.copyOf(encodings);
    }

    /** Number of node encodings in the proof. */
    public int size() {
        return encodings.size();
    }

    public byte[] toBytes() {
        long len = 1 + 4;
        for (byte[] e : encodings) {
            len += 4 + e.length;
        }
        if (len > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("proof too large to serialize: " + len + " bytes");
        }
        byte[] out = new byte[(int) len];
        out[0] = VERSION;
        putU32(out, 1, encodings.size());
        int p = 5;
        for (byte[] e : encodings) {
            putU32(out, p, e.length);
            p += 4;
            System.arraycopy(e, 0, out, p, e.length);
            p += e.length;
        }
        return out;
    }

    public static MerkleProof fromBytes(byte[] b) {
        if (b == null || b.length < 5) {
            throw new ProofException("proof shorter than its header");
        }
        if (b[0] != VERSION) {
            throw new ProofException("unknown proof version " + (b[0] & 0xff));
        }
        long n = u32(b, 1);
        if (n > (b.length - 5) / 4) {
            throw new ProofException("proof declares " + n + " encodings, more than its size allows");
        }
        List<byte[]> encs = new ArrayList<>((int) n);
        int p = 5;
        for (int i = 0; i < n; i++) {
            if (b.length - p < 4) {
                throw new ProofException("proof truncated in the length of encoding " + i);
            }
            long len = u32(b, p);
            p += 4;
            if (len > b.length - p) {
                throw new ProofException("proof truncated in encoding " + i);
            }
            encs.add(Arrays.copyOfRange(b, p, p + (int) len));
            p += (int) len;
        }
        if (p != b.length) {
            throw new ProofException((b.length - p) + " trailing bytes after the proof");
        }
        return new MerkleProof(encs);
    }

    /**
     * Checks that {@code p} proves a leaf at {@code path} in the tree with root hash {@code root} and returns the leaf's
     * value; throws {@link ProofException} with the reason otherwise.
     */
    public static byte[] verify(MerkleProof p, Hash root, List<String> path) {
        return new Verifier(p.encodings).run(root.bytes(), path);
    }

    private static final class Verifier {
        final List<byte[]> encs;
        int next;
        long totalBytes;

        Verifier(List<byte[]> encs) {
            this.encs = encs;
            for (byte[] e : encs) {
                totalBytes += e.length;
            }
        }

        /** The next encoding, checked against the expected hash. */
        byte[] take(byte[] expected, String what) {
            if (next >= encs.size()) {
                throw new ProofException("proof ends before " + what);
            }
            byte[] e = encs.get(next++);
            if (!Arrays.equals(Blake2b.hash256(e), expected)) {
                throw new ProofException("hash mismatch at " + what);
            }
            return e;
        }

        byte[] run(byte[] rootHash, List<String> path) {
            byte[] expect = rootHash;
            for (int d = 0; d < path.size(); d++) {
                String step = path.get(d);
                if (step == null || step.isEmpty()) {
                    throw new ProofException("invalid path step at depth " + d);
                }
                byte[] name = step.getBytes(StandardCharsets.UTF_8);
                byte[] e = take(expect, "directory at depth " + d);
                expect = childHash(e, name, d);
            }
            byte[] leaf = take(expect, "leaf");
            byte[] value = leafValue(leaf);
            if (next != encs.size()) {
                throw new ProofException((encs.size() - next) + " unused encodings in the proof");
            }
            return value;
        }

        /** Parses a whole directory encoding and returns the hash of the child named {@code name}. */
        private byte[] childHash(byte[] e, byte[] name, int depth) {
            if (e.length >= 1 && e[0] == 0x06) {
                return pagedChildHash(e, name, depth);
            }
            if (e.length < 5 || e[0] != 0x03) {
                throw new ProofException("expected a directory at depth " + depth);
            }
            long n = u32(e, 1);
            if (n > SMALL_DIR_MAX) {
                throw new ProofException("directory of " + n + " children in the small form at depth " + depth);
            }
            int p = 5;
            byte[] found = null;
            int prevOff = -1;
            int prevLen = 0;
            for (long i = 0; i < n; i++) {
                if (e.length - p < 2) {
                    throw new ProofException("malformed directory at depth " + depth);
                }
                int len = ((e[p] & 0xff) << 8) | (e[p + 1] & 0xff);
                p += 2;
                if (len == 0 || e.length - p < len + HASH) {
                    throw new ProofException("malformed directory at depth " + depth);
                }
                if (prevOff >= 0 && Arrays.compareUnsigned(e, prevOff, prevOff + prevLen, e, p, p + len) >= 0) {
                    throw new ProofException("unsorted directory at depth " + depth);
                }
                if (Arrays.equals(e, p, p + len, name, 0, name.length)) {
                    found = Arrays.copyOfRange(e, p + len, p + len + HASH);
                }
                prevOff = p;
                prevLen = len;
                p += len + HASH;
            }
            if (p != e.length) {
                throw new ProofException("malformed directory at depth " + depth);
            }
            if (found == null) {
                throw new ProofException("no step '" + new String(name, StandardCharsets.UTF_8) + "' at depth " + depth);
            }
            return found;
        }

        /**
         * Follows a paged directory from its top page (already checked against its hash) through the pages that
         * follow in the proof, down to the leaf page holding {@code name}; returns the child's hash.
         */
        private byte[] pagedChildHash(byte[] e, byte[] name, int depth) {
            String where = "paged directory at depth " + depth;
            if (e.length < 2) {
                throw new ProofException("malformed " + where);
            }
            int height = e[1] & 0xff;
            if (height >= PAGE_MAX_HEIGHT) {
                throw new ProofException("malformed " + where);
            }
            PageView p = new PageView(e, 2, height, where);
            if (height > 0 && p.n < 2) {
                throw new ProofException("malformed " + where);
            }
            byte[] lower = null; // every step below the current page is greater than this
            while (height > 0) {
                int i = p.lowerBound(name);
                if (i == p.n) {
                    throw new ProofException("no step '" + new String(name, StandardCharsets.UTF_8) + "' at depth " + depth);
                }
                byte[] last = p.step(i);
                if (i > 0) {
                    lower = p.step(i - 1);
                }
                height--;
                byte[] c = take(p.hash(i), "directory page of height " + height + " at depth " + depth);
                int off;
                if (height == 0) {
                    if (c.length < 1 || c[0] != 0x08) {
                        throw new ProofException("expected a directory leaf page in " + where);
                    }
                    off = 1;
                } else {
                    if (c.length < 2 || c[0] != 0x07 || (c[1] & 0xff) != height) {
                        throw new ProofException("expected a directory index page of height " + height + " in " + where);
                    }
                    off = 2;
                }
                PageView cp = new PageView(c, off, height, where);
                if (!Arrays.equals(cp.step(cp.n - 1), last)) {
                    throw new ProofException("directory page does not end with its parent entry's step in " + where);
                }
                if (lower != null && Arrays.compareUnsigned(cp.step(0), lower) <= 0) {
                    throw new ProofException("directory page overlaps its left neighbour in " + where);
                }
                p = cp;
            }
            int i = p.lowerBound(name);
            if (i == p.n || !Arrays.equals(p.step(i), name)) {
                throw new ProofException("no step '" + new String(name, StandardCharsets.UTF_8) + "' at depth " + depth);
            }
            return p.hash(i);
        }

        private byte[] leafValue(byte[] e) {
            if (e.length < 5) {
                throw new ProofException("expected a leaf");
            }
            long size = u32(e, 1);
            if (e[0] == 0x01) {
                if (size > INLINE_MAX || e.length != 5 + size) {
                    throw new ProofException("malformed inline leaf");
                }
                return Arrays.copyOfRange(e, 5, e.length);
            }
            if (e[0] != 0x02) {
                throw new ProofException("expected a leaf");
            }
            if (size <= INLINE_MAX || size > Integer.MAX_VALUE || e.length != 5 + HASH) {
                throw new ProofException("malformed chunked leaf");
            }
            if (size > totalBytes) {
                throw new ProofException("proof too short for a value of " + size + " bytes");
            }
            int h = 0;
            long chunks = (size + CHUNK - 1) / CHUNK;
            while ((1L << (5 * h)) < chunks) {
                h++;
            }
            byte[] out = new byte[(int) size];
            valueNode(Arrays.copyOfRange(e, 5, 5 + HASH), h, size, out, 0);
            return out;
        }

        private void valueNode(byte[] expect, int h, long len, byte[] out, long outOff) {
            byte[] e = take(expect, "value node at byte " + outOff);
            if (h == 0) {
                if (e.length != 1 + len || e[0] != 0x04) {
                    throw new ProofException("malformed value chunk at byte " + outOff);
                }
                System.arraycopy(e, 1, out, (int) outOff, (int) len);
                return;
            }
            long cc = (long) CHUNK << (5 * (h - 1));
            int n = (int) ((len + cc - 1) / cc);
            if (e.length != 4 + n * HASH || e[0] != 0x05 || (e[1] & 0xff) != h
                    || (((e[2] & 0xff) << 8) | (e[3] & 0xff)) != n || n > FANOUT) {
                throw new ProofException("malformed value index node at byte " + outOff);
            }
            for (int i = 0; i < n; i++) {
                valueNode(Arrays.copyOfRange(e, 4 + i * HASH, 4 + (i + 1) * HASH), h - 1, Math.min(cc, len - i * cc),
                        out, outOff + i * cc);
            }
        }
    }

    /** The entries of a directory page encoding ({@code u32 n | n entries} from {@code off}), checked for form and order. */
    private static final class PageView {
        final byte[] e;
        final int n;
        final int[] stepOff;
        final int[] stepLen;

        PageView(byte[] e, int off, int height, String where) {
            this.e = e;
            if (e.length - off < 4) {
                throw new ProofException("malformed " + where);
            }
            long count = u32(e, off);
            int per = (height > 0 ? 8 : 0) + 2 + 1 + HASH;
            if (count < 1 || count > (e.length - off - 4) / per) {
                throw new ProofException("malformed " + where);
            }
            n = (int) count;
            stepOff = new int[n];
            stepLen = new int[n];
            int p = off + 4;
            for (int i = 0; i < n; i++) {
                if (height > 0) {
                    if (e.length - p < 8) {
                        throw new ProofException("malformed " + where);
                    }
                    boolean zero = true;
                    for (int k = 0; k < 8; k++) {
                        zero &= e[p + k] == 0;
                    }
                    if (zero) {
                        throw new ProofException("empty page entry in " + where);
                    }
                    p += 8;
                }
                if (e.length - p < 2) {
                    throw new ProofException("malformed " + where);
                }
                int len = ((e[p] & 0xff) << 8) | (e[p + 1] & 0xff);
                p += 2;
                if (len == 0 || e.length - p < len + HASH) {
                    throw new ProofException("malformed " + where);
                }
                if (i > 0 && Arrays.compareUnsigned(e, stepOff[i - 1], stepOff[i - 1] + stepLen[i - 1], e, p, p + len) >= 0) {
                    throw new ProofException("unsorted page in " + where);
                }
                stepOff[i] = p;
                stepLen[i] = len;
                p += len + HASH;
            }
            if (p != e.length) {
                throw new ProofException("malformed " + where);
            }
        }

        byte[] step(int i) {
            return Arrays.copyOfRange(e, stepOff[i], stepOff[i] + stepLen[i]);
        }

        byte[] hash(int i) {
            int h = stepOff[i] + stepLen[i];
            return Arrays.copyOfRange(e, h, h + HASH);
        }

        /** The first entry whose step is >= name (n if none). */
        int lowerBound(byte[] name) {
            int lo = 0;
            int hi = n;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (Arrays.compareUnsigned(e, stepOff[mid], stepOff[mid] + stepLen[mid], name, 0, name.length) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    private static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    private static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
