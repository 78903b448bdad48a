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
 *                             steps strictly ascending as unsigned bytes; n = 0 only for the empty root
 *   0x04 value chunk        : the chunk's bytes (4096, or 1..4096 for a value's last chunk)
 *   0x05 value index node   : u8 height (1..) | u16 n (1..32) | n x 32-byte child hash
 * </pre>
 * A chunked value of size s has c = ceil(s / 4096) chunks under a left-packed index tree of fanout 32 and height
 * h = min{h : 32^h >= c}: an index node of height k covering b bytes has ceil(b / (4096 * 32^(k-1))) children, each
 * covering 4096 * 32^(k-1) bytes except the last. The shape thus depends only on the size.
 */
final class Codec {
    static final byte TAG_LEAF_INLINE = 0x01;
    static final byte TAG_LEAF_CHUNKED = 0x02;
    static final byte TAG_DIR = 0x03;
    static final byte TAG_CHUNK = 0x04;
    static final byte TAG_INDEX = 0x05;

    private Codec() {}

    static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
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

    private static Node decodeStructure(Hash h, byte[] enc, Ref.Kind kind, NodeStore store) {
        Reader r = new Reader(enc, h);
        int tag = r.u8();
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
            default:
                throw r.fail("expected a directory or leaf, found tag " + tag);
        }
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
