package io.flotilla.pvm.tree;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable byte sequence of up to 2^31-1 bytes, split into fixed {@value #CHUNK_SIZE}-byte chunks under an index
 * tree of fanout {@value #FANOUT} whose shape depends only on the size (see {@link Codec}). Updates copy one chunk per
 * touched chunk and the index path above it; all-zero chunks and subtrees are shared. Chunks of a value loaded from a
 * store are read on demand.
 */
public final class Value {
    public static final int CHUNK_SIZE = 4096;
    public static final int FANOUT = 32;
    private static final int FANOUT_BITS = 5;
    public static final long MAX_SIZE = Integer.MAX_VALUE;
    /** Values up to this size are stored inside their leaf's encoding. */
    static final int INLINE_MAX = CHUNK_SIZE;

    private static final int MAX_HEIGHT = heightFor(MAX_SIZE);
    /** FULL_ZERO[h]: the all-zero subtree of height h covering cap(h) bytes. */
    private static final Ref[] FULL_ZERO = new Ref[MAX_HEIGHT + 1];

    static {
        FULL_ZERO[0] = Ref.pinned(new ChunkNode(new byte[CHUNK_SIZE]));
        for (int h = 1; h <= MAX_HEIGHT; h++) {
            Ref[] c = new Ref[FANOUT];
            Arrays.fill(c, FULL_ZERO[h - 1]);
            FULL_ZERO[h] = Ref.pinned(new IndexNode(h, c));
        }
    }

    public static final Value EMPTY = new Value(0, Ref.pinned(new ChunkNode(new byte[0])));

    private final long size;
    private final int height;
    final Ref root;

    private Value(long size, Ref root) {
        this.size = size;
        this.height = heightFor(size);
        this.root = root;
    }

    static Value inline(byte[] owned) {
        return owned.length == 0 ? EMPTY : new Value(owned.length, new Ref(new ChunkNode(owned)));
    }

    static Value lazy(long size, Ref root) {
        return new Value(size, root);
    }

    /** Bytes covered by a full subtree of height h. */
    static long cap(int h) {
        return (long) CHUNK_SIZE << (FANOUT_BITS * h);
    }

    static int heightFor(long size) {
        long chunks = Math.max(1, (size + CHUNK_SIZE - 1) / CHUNK_SIZE);
        int h = 0;
        while ((1L << (FANOUT_BITS * h)) < chunks) {
            h++;
        }
        return h;
    }

    private static int ceilDiv(long a, long b) {
        return (int) ((a + b - 1) / b);
    }

    public static Value of(byte[] b) {
        return of(b, 0, b.length);
    }

    public static Value of(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return EMPTY;
        }
        return new Value(len, build(b, off, len, heightFor(len)));
    }

    private static Ref build(byte[] b, int off, long len, int h) {
        if (h == 0) {
            return new Ref(new ChunkNode(Arrays.copyOfRange(b, off, off + (int) len)));
        }
        long cc = cap(h - 1);
        int n = ceilDiv(len, cc);
        Ref[] ch = new Ref[n];
        for (int i = 0; i < n; i++) {
            long s = i * cc;
            ch[i] = build(b, off + (int) s, Math.min(cc, len - s), h - 1);
        }
        return new Ref(new IndexNode(h, ch));
    }

    /** A value of {@code size} zero bytes; cheap for any size (all full zero subtrees are shared). */
    public static Value zeros(long size) {
        checkSize(size);
        if (size == 0) {
            return EMPTY;
        }
        return new Value(size, zeroRef(heightFor(size), size));
    }

    private static void checkSize(long size) {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("value size " + size + " outside 0.." + MAX_SIZE);
        }
    }

    private static Ref zeroRef(int h, long len) {
        if (len == cap(h)) {
            return FULL_ZERO[h];
        }
        if (h == 0) {
            return new Ref(new ChunkNode(new byte[(int) len]));
        }
        long cc = cap(h - 1);
        int n = ceilDiv(len, cc);
        Ref[] ch = new Ref[n];
        Arrays.fill(ch, 0, n - 1, FULL_ZERO[h - 1]);
        ch[n - 1] = zeroRef(h - 1, len - (n - 1) * cc);
        return new Ref(new IndexNode(h, ch));
    }

    public long size() {
        return size;
    }

    int height() {
        return height;
    }

    /** Hash of the value's root node: a chunk (size <= 4096) or an index node. */
    public Hash hash() {
        return root.hash();
    }

    // ---- navigation with shape checks (nodes loaded from a store must have the shape the size implies)

    static ChunkNode chunk(Ref r, long len) {
        Node n = r.node();
        if (!(n instanceof ChunkNode c) || c.data.length != len) {
            throw new CorruptNodeException("value node " + r.hash() + ": expected a chunk of " + len + " bytes, found "
                    + (n instanceof ChunkNode c2 ? "a chunk of " + c2.data.length + " bytes" : n.getClass().getSimpleName()));
        }
        return c;
    }

    static IndexNode index(Ref r, int h, long len) {
        Node n = r.node();
        int count = ceilDiv(len, cap(h - 1));
        if (!(n instanceof IndexNode x) || x.height != h || x.children.length != count) {
            throw new CorruptNodeException("value node " + r.hash() + ": expected an index node of height " + h + " with "
                    + count + " children, found " + (n instanceof IndexNode x2
                    ? "height " + x2.height + " with " + x2.children.length + " children" : n.getClass().getSimpleName()));
        }
        return x;
    }

    // ---- reads

    /** {@code length} bytes from {@code offset}; IndexOutOfBoundsException when the range is not inside the value. */
    public byte[] read(long offset, int length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("read of " + length + " bytes at " + offset + " from a value of " + size + " bytes");
        }
        byte[] out = new byte[length];
        if (length > 0) {
            readRange(root, height, size, offset, out, 0, length);
        }
        return out;
    }

    private static void readRange(Ref r, int h, long len, long off, byte[] dst, int dOff, int n) {
        if (h == 0) {
            System.arraycopy(chunk(r, len).data, (int) off, dst, dOff, n);
            return;
        }
        IndexNode x = index(r, h, len);
        long cc = cap(h - 1);
        int first = (int) (off / cc);
        int last = (int) ((off + n - 1) / cc);
        for (int i = first; i <= last; i++) {
            long cs = i * cc;
            long clen = Math.min(cc, len - cs);
            long a = Math.max(off, cs);
            long b = Math.min(off + n, cs + clen);
            readRange(x.children[i], h - 1, clen, a - cs, dst, dOff + (int) (a - off), (int) (b - a));
        }
    }

    /** The whole value (the caller ensures it is small enough for an array). */
    public byte[] toBytes() {
        return read(0, (int) size);
    }

    // ---- writes

    /**
     * Writes {@code len} bytes of {@code src} from {@code srcOff} at {@code offset}, which must be at most the size;
     * the value is extended (with the written bytes) when the write goes past its end.
     */
    public Value write(long offset, byte[] src, int srcOff, int len) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        if (offset < 0 || offset > size) {
            throw new IndexOutOfBoundsException("write at " + offset + " into a value of " + size + " bytes");
        }
        long end = offset + len;
        if (end > MAX_SIZE) {
            throw new IllegalArgumentException("write would make the value larger than " + MAX_SIZE + " bytes");
        }
        Value v = end > size ? extendTo(end) : this;
        if (len == 0) {
            return v;
        }
        return new Value(v.size, writeRange(v.root, v.height, v.size, offset, src, srcOff, len));
    }

    public Value write(long offset, byte[] src) {
        return write(offset, src, 0, src.length);
    }

    /** This value followed by zero bytes up to {@code newSize} (or this value when it is not smaller). */
    public Value extendTo(long newSize) {
        checkSize(newSize);
        if (newSize <= size) {
            return this;
        }
        if (size == 0) {
            return zeros(newSize);
        }
        int nh = heightFor(newSize);
        Ref r = root;
        for (int h = height; h < nh; h++) {
            r = new Ref(new IndexNode(h + 1, new Ref[] {r}));
        }
        return new Value(newSize, grow(r, nh, size, newSize));
    }

    private static Ref grow(Ref r, int h, long oldLen, long newLen) {
        if (oldLen == newLen) {
            return r;
        }
        if (h == 0) {
            return new Ref(new ChunkNode(Arrays.copyOf(chunk(r, oldLen).data, (int) newLen)));
        }
        IndexNode x = index(r, h, oldLen);
        long cc = cap(h - 1);
        int co = ceilDiv(oldLen, cc);
        int cn = ceilDiv(newLen, cc);
        Ref[] ch = Arrays.copyOf(x.children, cn);
        long lastStart = (co - 1) * cc;
        ch[co - 1] = grow(ch[co - 1], h - 1, oldLen - lastStart, Math.min(cc, newLen - lastStart));
        for (int i = co; i < cn; i++) {
            ch[i] = zeroRef(h - 1, Math.min(cc, newLen - i * cc));
        }
        return new Ref(new IndexNode(h, ch));
    }

    private static Ref writeRange(Ref r, int h, long len, long off, byte[] src, int sOff, int n) {
        if (h == 0) {
            byte[] data = chunk(r, len).data.clone();
            System.arraycopy(src, sOff, data, (int) off, n);
            return new Ref(new ChunkNode(data));
        }
        IndexNode x = index(r, h, len);
        long cc = cap(h - 1);
        int first = (int) (off / cc);
        int last = (int) ((off + n - 1) / cc);
        Ref[] ch = x.children.clone();
        for (int i = first; i <= last; i++) {
            long cs = i * cc;
            long clen = Math.min(cc, len - cs);
            long a = Math.max(off, cs);
            long b = Math.min(off + n, cs + clen);
            ch[i] = writeRange(ch[i], h - 1, clen, a - cs, src, sOff + (int) (a - off), (int) (b - a));
        }
        return new Ref(new IndexNode(h, ch));
    }

    // ---- traversal used by persist and prove

    /** Calls {@code visitor} on every node of this value in pre-order (node, then its children left to right). */
    void forEachNode(NodeVisitor visitor) {
        walk(root, height, size, visitor);
    }

    interface NodeVisitor {
        /** Returns false to skip the node's children. */
        boolean visit(Ref ref, Node node);
    }

    private static void walk(Ref r, int h, long len, NodeVisitor v) {
        if (h == 0) {
            v.visit(r, chunk(r, len));
            return;
        }
        IndexNode x = index(r, h, len);
        if (!v.visit(r, x)) {
            return;
        }
        long cc = cap(h - 1);
        for (int i = 0; i < x.children.length; i++) {
            walk(x.children[i], h - 1, Math.min(cc, len - i * cc), v);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Value v && v.size == size && v.hash().equals(hash());
    }

    @Override
    public int hashCode() {
        return hash().hashCode();
    }

    @Override
    public String toString() {
        return "Value(" + size + " bytes, " + hash() + ")";
    }
}
