package io.flotilla.pvm.tree;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The canonical node encodings (integers big-endian). The first byte is a domain-separating tag:
 * <pre>
 *   0x01 leaf, inline value : u32 size (0..4096) | size bytes
 *   0x02 leaf, chunked value: u32 size (4097..2^31-1) | 32-byte hash of the value's root index node
 *   0x03 directory          : u32 n | n x ( u16 len (1..65535) | len bytes of UTF-8 step | 32-byte child hash )
 *                             steps strictly ascending as unsigned bytes; n = 0 only for the empty root;
 *                             n &lt;= 256 (larger directories use the paged form below)
 *   0x04 value chunk        : the chunk's bytes (4096, or 1..4096 for a value's last chunk)
 *   0x05 value index node   : u8 height (1..) | u16 n (1..32) | n x 32-byte child hash
 *   0x06 paged directory    : u8 height (0..40) | u32 n | n entries of that height  (the top page)
 *   0x07 directory index page: u8 height (1..39) | u32 n (1..1024) | n x index entry
 *   0x08 directory leaf page : u32 n (1..1024) | n x leaf entry
 *        leaf entry  (height 0)  : u16 len | len bytes of UTF-8 step | 32-byte child hash (a 0x01/0x02/0x03/0x06 node)
 *        index entry (height >= 1): u64 count (>= 1) | u16 len | len bytes of UTF-8 step | 32-byte page hash
 *                                   (a 0x07 page of height - 1, or a 0x08 page when height is 1)
 * </pre>
 * A chunked value of size s has c = ceil(s / 4096) chunks under a left-packed index tree of fanout 32 and height
 * h = min{h : 32^h >= c}: an index node of height k covering b bytes has ceil(b / (4096 * 32^(k-1))) children, each
 * covering 4096 * 32^(k-1) bytes except the last. The shape thus depends only on the size.
 *
 * <p><b>Paged directories.</b> A directory with at most 256 children is a single 0x03 node. A directory with more
 * children (257 or more) is a 0x06 node: the top page of a tree of pages whose shape is a function of the set of
 * steps alone (content-defined chunking, a "prolly tree"), so it does not depend on the history of insertions and
 * removals. Each step s has a rank r(s) = floor(clz64(first 8 bytes of Blake2b-256(UTF-8 of s)) / 6), 0..10
 * (clz64: leading zero bits of the big-endian u64). Level 0 is the sequence of all (step, child hash) in ascending
 * step order; level j+1 is the sequence of the pages of level j, each entry carrying the page's last step (whose rank
 * is the entry's rank), the number of directory children below the page, and the page's hash. Every level is cut into
 * pages from left to right: a page ends after an entry whose rank is greater than the level (probability 1/64 for a
 * new entry, so pages hold 64 entries on average), after 1024 entries without such an entry, or at the end of the
 * level. Levels are built until one holds a single page: that page is the top, encoded with tag 0x06 (its height is
 * its level); the other pages of level 0 are 0x08 pages, those of higher levels 0x07 pages. So the top page has at
 * least two entries unless its height is 0, and it covers more than 256 children. An index entry's step equals the
 * last step of its page and its count the number of children below it; steps are strictly ascending across a whole
 * level. The child count and the i-th child in step order follow from the counts along one path; a lookup, insertion
 * or removal reads and rewrites the pages of one root-to-leaf path, plus a right neighbour at a level where a boundary
 * appeared or vanished. Crossing the threshold converts the directory to the other form. Decoding checks every local
 * rule (order, counts, sizes, and that no entry but a page's last has a boundary rank); the link from an index entry
 * to its page (height, last step, count, order with the previous entry) is checked when the page is loaded.
 */
final class Codec {
    static final byte TAG_LEAF_INLINE = 0x01;
    static final byte TAG_LEAF_CHUNKED = 0x02;
    static final byte TAG_DIR = 0x03;
    static final byte TAG_CHUNK = 0x04;
    static final byte TAG_INDEX = 0x05;
    static final byte TAG_BIG_DIR = 0x06;
    static final byte TAG_DIR_INDEX_PAGE = 0x07;
    static final byte TAG_DIR_LEAF_PAGE = 0x08;

    private Codec() {}

    static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void putU64(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    /** Decodes a node read from {@code store} under {@code h}, verifying the hash and the structure. */
    static Node decode(Hash h, byte[] enc, Ref.Kind kind, NodeStore store) {
        if (!Hash.of(enc).equals(h)) {
            throw new CorruptNodeException("node " + h + ": stored bytes hash to " + Hash.of(enc));
        }
        Node n = decodeStructure(h, enc, kind, store);
        n.knownHash(h);
        return n;
    }

    static Node decodeStructure(Hash h, byte[] enc, Ref.Kind kind, NodeStore store) {
        Reader r = new Reader(enc, h);
        int tag = r.u8();
        if (kind == Ref.Kind.DIR_PAGE) {
            switch (tag) {
                case TAG_DIR_LEAF_PAGE:
                    return new PageNode(readPage(r, enc, 0, store));
                case TAG_DIR_INDEX_PAGE: {
                    int height = r.u8();
                    if (height < 1 || height >= Page.MAX_HEIGHT) {
                        throw r.fail("directory index page of height " + height);
                    }
                    return new PageNode(readPage(r, enc, height, store));
                }
                default:
                    throw r.fail("expected a directory page, found tag " + tag);
            }
        }
        if (kind == Ref.Kind.VALUE) {
            switch (tag) {
                case TAG_CHUNK:
                    return new ChunkNode(Arrays.copyOfRange(enc, 1, enc.length));
                case TAG_INDEX: {
                    int height = r.u8();
                    if (height < 1) {
                        throw r.fail("index node height 0");
                    }
                    int n = r.u16();
                    if (n < 1 || n > Value.FANOUT) {
                        throw r.fail("index node with " + n + " children");
                    }
                    Ref[] children = new Ref[n];
                    for (int i = 0; i < n; i++) {
                        children[i] = new Ref(r.hash(), store, Ref.Kind.VALUE);
                    }
                    r.end();
                    return new IndexNode(height, children);
                }
                default:
                    throw r.fail("expected a value chunk or index node, found tag " + tag);
            }
        }
        switch (tag) {
            case TAG_LEAF_INLINE: {
                long size = r.u32();
                if (size > Value.INLINE_MAX) {
                    throw r.fail("inline leaf of " + size + " bytes (max " + Value.INLINE_MAX + ")");
                }
                if (r.remaining() != size) {
                    throw r.fail("inline leaf declares " + size + " bytes but has " + r.remaining());
                }
                return new LeafNode(Value.inline(Arrays.copyOfRange(enc, 5, enc.length)));
            }
            case TAG_LEAF_CHUNKED: {
                long size = r.u32();
                if (size <= Value.INLINE_MAX || size > Value.MAX_SIZE) {
                    throw r.fail("chunked leaf of " + size + " bytes");
                }
                Hash root = r.hash();
                r.end();
                return new LeafNode(Value.lazy(size, new Ref(root, store, Ref.Kind.VALUE)));
            }
            case TAG_DIR: {
                long n = r.u32();
                if (n == 0 && kind != Ref.Kind.TREE_ROOT) {
                    throw r.fail("empty directory below the root");
                }
                if (n > Directory.THRESHOLD) {
                    throw r.fail("directory of " + n + " children in the small form (max " + Directory.THRESHOLD + ")");
                }
                if (n > r.remaining() / (2 + 1 + Hash.SIZE)) {
                    throw r.fail("directory declares " + n + " children, more than its " + r.remaining() + " bytes can hold");
                }
                CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
                String[] steps = new String[(int) n];
                Ref[] children = new Ref[(int) n];
                int prevOff = -1;
                int prevLen = 0;
                for (int i = 0; i < n; i++) {
                    int len = r.u16();
                    if (len == 0) {
                        throw r.fail("empty step at child " + i);
                    }
                    int off = r.skip(len);
                    if (prevOff >= 0 && Arrays.compareUnsigned(enc, prevOff, prevOff + prevLen, enc, off, off + len) >= 0) {
                        throw r.fail("steps not strictly ascending at child " + i);
                    }
                    try {
                        steps[i] = utf8.decode(ByteBuffer.wrap(enc, off, len)).toString();
                    } catch (CharacterCodingException e) {
                        throw r.fail("step " + i + " is not valid UTF-8");
                    }
                    prevOff = off;
                    prevLen = len;
                    children[i] = new Ref(r.hash(), store, Ref.Kind.TREE_CHILD);
                }
                r.end();
                return n == 0 ? new DirNode(steps, children) : new DirNode(steps, children);
            }
            case TAG_BIG_DIR: {
                int height = r.u8();
                if (height >= Page.MAX_HEIGHT) {
                    throw r.fail("paged directory of height " + height);
                }
                Page top = readPage(r, enc, height, store);
                if (height > 0 && top.size() < 2) {
                    throw r.fail("top directory page of height " + height + " with a single entry");
                }
                if (top.total <= Directory.THRESHOLD) {
                    throw r.fail("paged directory of " + top.total + " children (min " + (Directory.THRESHOLD + 1) + ")");
                }
                return new BigDir(top);
            }
            default:
                throw r.fail("expected a directory or leaf, found tag " + tag);
        }
    }

    /** Reads {@code u32 n | n entries} of a directory page of the given height, checking the page's local rules. */
    private static Page readPage(Reader r, byte[] enc, int height, NodeStore store) {
        long n = r.u32();
        int per = (height > 0 ? 8 : 0) + 2 + 1 + Hash.SIZE;
        if (n < 1 || n > Page.CAP) {
            throw r.fail("directory page with " + n + " entries");
        }
        if (n > r.remaining() / per) {
            throw r.fail("directory page declares " + n + " entries, more than its " + r.remaining() + " bytes can hold");
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int m = (int) n;
        String[] steps = new String[m];
        Ref[] refs = new Ref[m];
        long[] counts = height > 0 ? new long[m] : null;
        byte[] ranks = new byte[m];
        int prevOff = -1;
        int prevLen = 0;
        for (int i = 0; i < m; i++) {
            if (height > 0) {
                long c = r.u64();
                if (c < 1 || c > (1L << 48)) {
                    throw r.fail("index entry " + i + " counts " + Long.toUnsignedString(c) + " children");
                }
                counts[i] = c;
            }
            int len = r.u16();
            if (len == 0) {
                throw r.fail("empty step at entry " + i);
            }
            int off = r.skip(len);
            if (prevOff >= 0 && Arrays.compareUnsigned(enc, prevOff, prevOff + prevLen, enc, off, off + len) >= 0) {
                throw r.fail("steps not strictly ascending at entry " + i);
            }
            try {
                steps[i] = utf8.decode(ByteBuffer.wrap(enc, off, len)).toString();
            } catch (CharacterCodingException e) {
                throw r.fail("step " + i + " is not valid UTF-8");
            }
            ranks[i] = Page.rank(enc, off, len);
            if (i < m - 1 && Page.boundary(ranks[i], height)) {
                throw r.fail("entry " + i + " ends a page at height " + height + " but is not the page's last");
            }
            prevOff = off;
            prevLen = len;
            refs[i] = new Ref(r.hash(), store, height > 0 ? Ref.Kind.DIR_PAGE : Ref.Kind.TREE_CHILD);
        }
        r.end();
        return new Page(height, steps, refs, counts, ranks);
    }

    /** Bounds-checked reading of an encoding. */
    static final class Reader {
        private final byte[] b;
        private final Hash h;
        private int pos;

        Reader(byte[] b, Hash h) {
            this.b = b;
            this.h = h;
        }

        CorruptNodeException fail(String msg) {
            return new CorruptNodeException("corrupt node " + h + " (" + b.length + " bytes) at offset " + pos + ": " + msg);
        }

        private void need(int n) {
            if (b.length - pos < n) {
                throw fail("truncated: need " + n + " more bytes, have " + (b.length - pos));
            }
        }

        int u8() {
            need(1);
            return b[pos++] & 0xff;
        }

        int u16() {
            need(2);
            int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        long u32() {
            need(4);
            long v = ((long) (b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        long u64() {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (b[pos + i] & 0xff);
            }
            pos += 8;
            return v;
        }

        Hash hash() {
            need(Hash.SIZE);
            Hash v = Hash.read(b, pos);
            pos += Hash.SIZE;
            return v;
        }

        /** Skips n bytes, returning their offset. */
        int skip(int n) {
            need(n);
            int p = pos;
            pos += n;
            return p;
        }

        int remaining() {
            return b.length - pos;
        }

        void end() {
            if (pos != b.length) {
                throw fail((b.length - pos) + " trailing bytes");
            }
        }
    }
}
