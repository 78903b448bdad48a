package io.flotilla.pvm.reveal;

/**
 * A reveal the node cannot answer now (preimage missing everywhere, endpoint down). The level
 * cannot be evaluated until it can; the state is left unchanged so the level can be retried.
 */
public final class RevealUnavailableException extends RuntimeException {
    public RevealUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
