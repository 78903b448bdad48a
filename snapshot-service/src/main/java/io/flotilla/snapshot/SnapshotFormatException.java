package io.flotilla.snapshot;

/** A snapshot file (header, compression, archive or metadata) that cannot be decoded; the message says what is wrong. */
public class SnapshotFormatException extends RuntimeException {
    public SnapshotFormatException(String message) {
        super(message);
    }

    public SnapshotFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
