package io.flotilla.pvm.tree;

import java.lang.ref.SoftReference;

/**
 * A reference to a node: either held in memory (not yet persisted) or a hash in a {@link NodeStore}, decoded on
 * demand and cached through a SoftReference. Persisting a node turns its reference from the first form into the
 * second; that mutation is invisible to readers (same content, same hash) and ordered so concurrent readers always
 * find either the strong node, the soft cache, or the store coordinates.
 */
final class Ref {
    /** How to decode the node when it must be loaded. */
    enum Kind {
        /** A directory (possibly the empty root) or a leaf. */
        TREE_ROOT,
        /** A non-empty directory or a leaf. */
        TREE_CHILD,
        /** A value chunk or value index node. */
        VALUE,
        /** An index or leaf page of a paged directory (below its top page). */
        DIR_PAGE
    }

    private volatile Node strong;
    private volatile SoftReference<Node> soft;
    private volatile Hash hash;
    private volatile NodeStore store;
    private volatile Kind kind;
    /** Pinned references (process-wide shared constants) always keep their node and never point to a store. */
    private final boolean pinned;

    Ref(Node node) {
        this.strong = node;
        this.pinned = false;
    }

    private Ref(Node node, boolean pinned) {
        this.strong = node;
        this.pinned = pinned;
    }

    /** A lazy reference to a stored node. */
    Ref(Hash hash, NodeStore store, Kind kind) {
        this.hash = hash;
        this.store = store;
        this.kind = kind;
        this.pinned = false;
    }

    static Ref pinned(Node node) {
        return new Ref(node, true);
    }

    boolean isPinned() {
        return pinned;
    }

    Hash hash() {
        Hash h = hash;
        if (h != null) {
            return h;
        }
        Node n = strong;
        if (n == null) {
            return hash; // persisted concurrently: hash was published before strong was cleared
        }
        h = n.hash();
        if (!pinned) {
            hash = h;
        }
        return h;
    }

    /** The node if it is in memory, without touching the store; null otherwise. */
    Node loadedNode() {
        Node n = strong;
        if (n != null) {
            return n;
        }
        SoftReference<Node> s = soft;
        return s == null ? null : s.get();
    }

    /** The node, loading and verifying it from the store when it is not in memory. */
    Node node() {
        Node n = strong;
        if (n != null) {
            return n;
        }
        SoftReference<Node> s = soft;
        if (s != null && (n = s.get()) != null) {
            return n;
        }
        NodeStore st = store;
        Hash h = hash;
        byte[] enc = st.get(h);
        if (enc == null) {
            throw new MissingNodeException(h);
        }
        n = Codec.decode(h, enc, kind, st);
        soft = new SoftReference<>(n);
        return n;
    }

    /** Drops the soft cache of a stored node (tests use this to simulate the collector clearing it). */
    void dropCache() {
        if (store != null) {
            soft = null;
        }
    }

    boolean storedIn(NodeStore s) {
        return store == s;
    }

    /** Records that {@code n} (this reference's node, with hash {@code h}) and all its descendants are in {@code s}. */
    void markStored(NodeStore s, Hash h, Node n) {
        if (pinned) {
            return;
        }
        hash = h;
        kind = n.reloadKind();
        soft = new SoftReference<>(n);
        store = s;
        strong = null;
    }
}
