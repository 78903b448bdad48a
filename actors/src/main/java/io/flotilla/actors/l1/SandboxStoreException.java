package io.flotilla.actors.l1;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The on-disk chain of a durable {@link SandboxL1} cannot be used: a record in the middle of its log is
 * damaged, a block does not extend the chain, the header is unreadable, or the directory is in use by
 * another sandbox. The message names the file and, for the log, the byte offset of the bad record.
 */
public class SandboxStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public SandboxStoreException(Path file, long offset, String message, Throwable cause) {
        super(file + (offset >= 0 ? " at offset " + offset : "") + ": " + message, cause);
        this.file = file;
        this.offset = offset;
    }

    public SandboxStoreException(Path file, long offset, String message) {
        this(file, offset, message, null);
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }

    /** The byte offset of the damaged record in {@link #file()}, or -1 when the whole file is concerned. */
    public long offset() {
        return offset;
    }
}
