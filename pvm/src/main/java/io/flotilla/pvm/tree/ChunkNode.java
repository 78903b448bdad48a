package io.flotilla.pvm.tree;

/** A chunk of value bytes: CHUNK_SIZE bytes except the last chunk of a value. */
final class ChunkNode extends Node {
    final byte[] data;

    ChunkNode(byte[] data) {
        this.data = data;
    }

    @Override
    byte[] encode() {
        byte[] out = new byte[1 + data.length];
        out[0] = Codec.TAG_CHUNK;
        System.arraycopy(data, 0, out, 1, data.length);
        return out;
    }

    @Override
    Ref.Kind reloadKind() {
        return Ref.Kind.VALUE;
    }
}
