package io.flotilla.pvm.tree;

import java.util.Set;

/**
 * Walks the stored encodings of a tree as they are: each node's bytes are read from its {@link NodeStore} and handed
 * on unchanged, and only the child hashes are picked out of them (no decoding into nodes, no re-encoding, no
 * Blake2b). Snapshot export and import use it where {@link Tree#copyTo} would decode, re-encode and re-hash every
 * node: the bytes travel under the hash they were stored under, and whoever must trust them (the importer) verifies
 * each hash once.
 *
 * <p>The order is that of {@link Tree#copyTo} into an empty store: children before parents, directory children and
 * page entries in their encoded order, value index children in order, each node once. So a walk gives byte for
 * byte the records {@code copyTo} wrote.
 *
 * <p>Only the framing the walk needs is checked (the tag fits the node's position, lengths stay inside the
 * encoding): a malformed node is a {@link CorruptNodeException}, never an out-of-bounds read. The structural rules of
 * {@link Codec} (step order, page boundaries, value sizes) are not re-checked here.
 */
public final class StoredNodes {
    private StoredNodes() {}

    /** Receives each encoding once, children before parents. */
    @FunctionalInterface
    public interface Sink {
        void node(Hash hash, byte[] encoding) throws Exception;
    }

    /** Where a node sits: which tags may appear there. */
    private enum Position { TREE, PAGE, VALUE }

    /**
     * Emits every node reachable from {@code root} in {@code store} whose hash is not yet in {@code seen}, children
     * before parents, adding each to {@code seen}: a subtree whose root is in {@code seen} is not read at all, so
     * several roots sharing most of their nodes (the levels of one rollup) cost what differs between them.
     *
     * @return how many encodings were emitted
     * @throws MissingNodeException when a reachable node is absent from {@code store}
     * @throws CorruptNodeException when an encoding cannot be framed
     * @throws Exception whatever {@code sink} throws
     */
    public static long walk(Hash root, NodeStore store, Set<Hash> seen, Sink sink) throws Exception {
        return new Walker(store, seen, sink, false).visit(root, Position.TREE, true);
    }

    /**
     * As {@link #walk}, also checking that each node is a well-formed encoding for its position (every rule
     * {@link Codec} checks when it decodes a node), but not its hash: for a caller that has verified the hashes
     * already (the snapshot importer, as it reads the nodes).
     */
    public static long walkChecked(Hash root, NodeStore store, Set<Hash> seen, Sink sink) throws Exception {
        return new Walker(store, seen, sink, true).visit(root, Position.TREE, true);
    }

    private static final class Walker {
        final NodeStore store;
        final Set<Hash> seen;
        final Sink sink;
        final boolean structure;

        Walker(NodeStore store, Set<Hash> seen, Sink sink, boolean structure) {
            this.store = store;
            this.seen = seen;
            this.sink = sink;
            this.structure = structure;
        }

        long visit(Hash h, Position at) throws Exception {
            return visit(h, at, false);
        }

        long visit(Hash h, Position at, boolean root) throws Exception {
            if (seen.contains(h)) {
                return 0;
            }
            byte[] enc = store.get(h);
            if (enc == null) {
                throw new MissingNodeException(h);
            }
            if (structure) {
                Codec.decodeStructure(h, enc, switch (at) {
                    case TREE -> root ? Ref.Kind.TREE_ROOT : Ref.Kind.TREE_CHILD;
                    case PAGE -> Ref.Kind.DIR_PAGE;
                    case VALUE -> Ref.Kind.VALUE;
                }, store);
            }
            long count = children(h, enc, at);
            // a node is never its own descendant, so it cannot have been emitted while its children were walked
            seen.add(h);
            sink.node(h, enc);
            return count + 1;
        }

        /** Visits the children named in {@code enc}, in encoded order. */
        private long children(Hash h, byte[] enc, Position at) throws Exception {
            if (enc.length == 0) {
                throw corrupt(h, "empty encoding");
            }
            int tag = enc[0];
            switch (at) {
                case TREE -> {
                    switch (tag) {
                        case Codec.TAG_LEAF_INLINE:
                            return 0;
                        case Codec.TAG_LEAF_CHUNKED:
                            need(h, enc, 1 + 4 + Hash.SIZE);
                            return visit(Hash.read(enc, 5), Position.VALUE);
                        case Codec.TAG_DIR:
                            need(h, enc, 5);
                            return entries(h, enc, 5, u32(enc, 1), false, Position.TREE);
                        case Codec.TAG_BIG_DIR: {
                            need(h, enc, 6);
                            int height = enc[1] & 0xff;
                            return entries(h, enc, 6, u32(enc, 2), height > 0, height > 0 ? Position.PAGE : Position.TREE);
                        }
                        default:
                            throw corrupt(h, "tag " + tag + " where a directory or leaf belongs");
                    }
                }
                case PAGE -> {
                    switch (tag) {
                        case Codec.TAG_DIR_LEAF_PAGE:
                            need(h, enc, 5);
                            return entries(h, enc, 5, u32(enc, 1), false, Position.TREE);
                        case Codec.TAG_DIR_INDEX_PAGE:
                            need(h, enc, 6);
                            return entries(h, enc, 6, u32(enc, 2), true, Position.PAGE);
                        default:
                            throw corrupt(h, "tag " + tag + " where a directory page belongs");
                    }
                }
                default -> {
                    switch (tag) {
                        case Codec.TAG_CHUNK:
                            return 0;
                        case Codec.TAG_INDEX: {
                            need(h, enc, 4);
                            int n = ((enc[2] & 0xff) << 8) | (enc[3] & 0xff);
                            need(h, enc, 4 + (long) n * Hash.SIZE);
                            long count = 0;
                            for (int i = 0; i < n; i++) {
                                count += visit(Hash.read(enc, 4 + i * Hash.SIZE), Position.VALUE);
                            }
                            return count;
                        }
                        default:
                            throw corrupt(h, "tag " + tag + " where a value chunk or index node belongs");
                    }
                }
            }
        }

        /**
         * {@code n} entries from {@code off}: {@code [u64 count] u16 len, step, 32-byte hash}, each hash a child at
         * {@code child}.
         */
        private long entries(Hash h, byte[] enc, int off, long n, boolean counted, Position child) throws Exception {
            long count = 0;
            for (long i = 0; i < n; i++) {
                if (counted) {
                    need(h, enc, off + 8L);
                    off += 8;
                }
                need(h, enc, off + 2L);
                int len = ((enc[off] & 0xff) << 8) | (enc[off + 1] & 0xff);
                off += 2 + len;
                need(h, enc, off + (long) Hash.SIZE);
                count += visit(Hash.read(enc, off), child);
                off += Hash.SIZE;
            }
            return count;
        }

        private static long u32(byte[] b, int off) {
            return ((b[off] & 0xffL) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
        }

        private static void need(Hash h, byte[] enc, long length) {
            if (enc.length < length) {
                throw corrupt(h, "encoding of " + enc.length + " bytes ends inside a field");
            }
        }

        private static CorruptNodeException corrupt(Hash h, String what) {
            return new CorruptNodeException("node " + h + ": " + what);
        }
    }
}
