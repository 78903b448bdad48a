package io.flotilla.pvm.tree;

/** An immutable node: a directory, a leaf, a value chunk or a value index node. */
abstract class Node {
    private volatile Hash hash;

    /** The canonical encoding (see {@link Codec}). */
    abstract byte[] encode();

    /** The kind a reference to this node uses to decode it again after it has been dropped from memory. */
    abstract Ref.Kind reloadKind();

    final Hash hash() {
        Hash h = hash;
        if (h == null) {
            h = Hash.of(encode());
            hash = h;
        }
        return h;
    }

    /** The hash, computing it from an encoding the caller already produced. */
    final Hash hash(byte[] encoding) {
        Hash h = hash;
        if (h == null) {
            h = Hash.of(encoding);
            hash = h;
        }
        return h;
    }

    /** Records the (verified) hash of a decoded node. */
    final void knownHash(Hash h) {
        hash = h;
    }
}
