package io.flotilla.pvm.tree;

/** A node referenced by hash is absent from the {@link NodeStore}. */
public final class MissingNodeException extends CorruptNodeException {
    private final Hash hash;

    public MissingNodeException(Hash hash) {
        super("node " + hash + " is missing from the store");
        this.hash = hash;
    }

    public Hash hash() {
        return hash;
    }
}
