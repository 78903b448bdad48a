package io.flotilla.pvm.tree;

/** An interior node of a chunked value: up to FANOUT children, all at height - 1 (chunks are height 0). */
final class IndexNode extends Node {
    final int height;
    final Ref[] children;

    IndexNode(int height, Ref[] children) {
        this.height = height;
        this.children = children;
    }

    @Override
    byte[] encode() {
        int n = children.length;
        byte[] out = new byte[1 + 1 + 2 + n * Hash.SIZE];
        out[0] = Codec.TAG_INDEX;
        out[1] = (byte) height;
        Codec.putU16(out, 2, n);
        for (int i = 0; i < n; i++) {
            children[i].hash().writeTo(out, 4 + i * Hash.SIZE);
        }
        return out;
    }

    @Override
    Ref.Kind reloadKind() {
        return Ref.Kind.VALUE;
    }
}
