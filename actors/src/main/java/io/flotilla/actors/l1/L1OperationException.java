package io.flotilla.actors.l1;

/** L1 refused an operation; the message says why. */
public class L1OperationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public L1OperationException(String message) {
        super(message);
    }
}
