package io.flotilla.pvm.tree;

/** A Merkle proof is malformed or does not prove the claimed value. */
public final class ProofException extends RuntimeException {
    public ProofException(String message) {
        super(message);
    }
}
