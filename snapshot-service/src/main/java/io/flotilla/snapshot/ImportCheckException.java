package io.flotilla.snapshot;

/** A snapshot import refused by one of the {@link ImportCheck}s; the message names the check. */
public final class ImportCheckException extends RuntimeException {
    private final ImportCheck check;

    public ImportCheckException(ImportCheck check, String detail) {
        this(check, detail, null);
    }

    public ImportCheckException(ImportCheck check, String detail, Throwable cause) {
        super("snapshot refused by the check '" + check.title() + "': " + detail, cause);
        this.check = check;
    }

    public ImportCheck check() {
        return check;
    }
}
