package io.flotilla.pvm.host;

/**
 * A failure that Octez does not turn into a trap or an error code (call stack exhausted, negative
 * sizes its host functions cannot handle): the PVM becomes stuck for good.
 */
public final class KernelFatalException extends RuntimeException {
    public KernelFatalException(String message) {
        super(message);
    }
}
