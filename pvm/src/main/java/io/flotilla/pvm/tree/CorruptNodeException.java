package io.flotilla.pvm.tree;

/** A node read from a {@link NodeStore} is missing, does not match its hash, or is not a well-formed encoding. */
public class CorruptNodeException extends RuntimeException {
    public CorruptNodeException(String message) {
        super(message);
    }
}
