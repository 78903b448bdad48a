package io.flotilla.pvm.engine;

/** A kernel that cannot be decoded, linked or initialised. */
public final class KernelLoadException extends RuntimeException {
    public KernelLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    public KernelLoadException(String message) {
        super(message);
    }
}
