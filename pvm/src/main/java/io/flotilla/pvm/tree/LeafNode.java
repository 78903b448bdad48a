package io.flotilla.pvm.tree;

/** A leaf holding a value; small values are inlined in the leaf's encoding. */
final class LeafNode extends Node {
    final Value value;

    LeafNode(Value value) {
        this.value = value;
    }

    @Override
    byte[] encode() {
        long size = value.size();
        if (size <= Value.INLINE_MAX) {
            byte[] out = new byte[1 + 4 + (int) size];
            out[0] = Codec.TAG_LEAF_INLINE;
            Codec.putU32(out, 1, size);
            byte[] data = value.read(0, (int) size);
            System.arraycopy(data, 0, out, 5, data.length);
            return out;
        }
        byte[] out = new byte[1 + 4 + Hash.SIZE];
        out[0] = Codec.TAG_LEAF_CHUNKED;
        Codec.putU32(out, 1, size);
        value.hash().writeTo(out, 5);
        return out;
    }

    @Override
    Ref.Kind reloadKind() {
        return Ref.Kind.TREE_CHILD;
    }
}
