package io.flotilla.pvm.host;

/** Raised by a host function when charging its cost exhausts the tick budget of the call. */
public final class OutOfTicksException extends RuntimeException {
    public OutOfTicksException() {
        super("too many ticks", null, false, false);
    }
}
