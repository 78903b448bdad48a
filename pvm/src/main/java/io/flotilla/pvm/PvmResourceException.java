package io.flotilla.pvm;

/**
 * The machine, not the kernel, failed (out of JVM memory, an engine fault). Nothing about the
 * kernel's state is decided: the level is not evaluated and may be retried.
 */
public final class PvmResourceException extends RuntimeException {
    public PvmResourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
