package io.flotilla.pvm.tree;

import io.flotilla.pvm.crypto.Blake2b;

import java.nio.charset.StandardCharsets;

/**
 * The content of one page of a paged directory (see {@link Codec} for the chunking rule and the encodings): at height
 * 0 the entries are children (step, child); at height h >= 1 they are pages of height h - 1 (last step of the page,
 * page, number of children below it). A page is not a node itself: it is held by a {@link PageNode} or, for the top
 * page, by a {@link BigDir}.
 */
final class Page {
    /** Expected entries per page: a step ends a page at level j when its rank exceeds j, which has probability 1/64^(j+1). */
    static final int RANK_BITS = 6;
    /** No page has more entries: a run of CAP entries without a boundary ends a page. */
    static final int CAP = 1024;
    /** Heights above this are rejected as corrupt (with CAP-forced splits the height stays below ~20). */
    static final int MAX_HEIGHT = 40;

    final int height;
    /** Height 0: the children's steps; height >= 1: the last step of each child page. Strictly ascending. */
    final String[] steps;
    /** Height 0: the children; height >= 1: the child pages. */
    final Ref[] refs;
    /** Height >= 1: number of directory children under each child page; null at height 0. */
    final long[] counts;
    /** rank(steps[i]). */
    final byte[] ranks;
    /** Number of directory children under this page. */
    final long total;

    Page(int height, String[] steps, Ref[] refs, long[] counts, byte[] ranks) {
        this.height = height;
        this.steps = steps;
        this.refs = refs;
        this.counts = counts;
        this.ranks = ranks;
        long t = steps.length;
        if (counts != null) {
            t = 0;
            for (long c : counts) {
                t += c;
            }
        }
        this.total = t;
    }

    int size() {
        return steps.length;
    }

    long count(int i) {
        return counts == null ? 1 : counts[i];
    }

    String last() {
        return steps[steps.length - 1];
    }

    /**
     * The rank of a step: the number of leading zero bits of the first 8 bytes of Blake2b-256(UTF-8 of the step),
     * divided by 6 and rounded down (0..10).
     */
    static byte rank(String step) {
        return rank(step.getBytes(StandardCharsets.UTF_8), 0, -1);
    }

    static byte rank(byte[] b, int off, int len) {
        byte[] h = len < 0 ? Blake2b.hash256(b) : Blake2b.hash256(b, off, len);
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = (x << 8) | (h[i] & 0xff);
        }
        return (byte) (Long.numberOfLeadingZeros(x) / RANK_BITS);
    }

    /** Whether an entry of rank {@code rank} ends a page of height {@code height}. */
    static boolean boundary(int rank, int height) {
        return rank > height;
    }

    /** Index of the first entry whose step is >= {@code step}, or size() when there is none. */
    int lowerBound(String step) {
        int lo = 0;
        int hi = steps.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Steps.compare(steps[mid], step) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Index of {@code step}, or {@code -(insertion point) - 1}. */
    int find(String step) {
        int i = lowerBound(step);
        return i < steps.length && steps[i].equals(step) ? i : -(i + 1);
    }

    /** The i-th child page (height >= 1), loaded if needed and checked against this page's entry. */
    Page child(int i) {
        Ref r = refs[i];
        Node n = r.node();
        if (!(n instanceof PageNode pn)) {
            throw new CorruptNodeException("directory page " + r.hash() + " is not a page");
        }
        Page c = pn.page;
        if (c.height != height - 1) {
            throw new CorruptNodeException("directory page " + r.hash() + " has height " + c.height + ", expected " + (height - 1));
        }
        if (!c.last().equals(steps[i])) {
            throw new CorruptNodeException("directory page " + r.hash() + " does not end with the step of its parent entry");
        }
        if (c.total != counts[i]) {
            throw new CorruptNodeException("directory page " + r.hash() + " holds " + c.total + " children, its parent says " + counts[i]);
        }
        if (i > 0 && Steps.compare(c.steps[0], steps[i - 1]) <= 0) {
            throw new CorruptNodeException("directory page " + r.hash() + " overlaps its left sibling");
        }
        return c;
    }

    /** The encoding: {@code tag | [u8 height] | u32 n | n entries} (see {@link Codec}). */
    byte[] encode(byte tag, boolean withHeight) {
        int n = steps.length;
        byte[][] names = new byte[n][];
        int per = (height > 0 ? 8 : 0) + 2 + Hash.SIZE;
        long len = 1 + (withHeight ? 1 : 0) + 4;
        for (int i = 0; i < n; i++) {
            names[i] = steps[i].getBytes(StandardCharsets.UTF_8);
            len += per + names[i].length;
        }
        if (len > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("directory page too large: " + len + " bytes");
        }
        byte[] out = new byte[(int) len];
        out[0] = tag;
        int p = 1;
        if (withHeight) {
            out[p++] = (byte) height;
        }
        Codec.putU32(out, p, n);
        p += 4;
        for (int i = 0; i < n; i++) {
            if (height > 0) {
                Codec.putU64(out, p, counts[i]);
                p += 8;
            }
            byte[] nm = names[i];
            Codec.putU16(out, p, nm.length);
            p += 2;
            System.arraycopy(nm, 0, out, p, nm.length);
            p += nm.length;
            refs[i].hash().writeTo(out, p);
            p += Hash.SIZE;
        }
        return out;
    }
}
