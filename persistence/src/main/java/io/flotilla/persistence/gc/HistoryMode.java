package io.flotilla.persistence.gc;

import java.util.Locale;

/**
 * How much of a rollup's history a node keeps (Octez {@code --history-mode}): {@link #ARCHIVE} everything since
 * origination; {@link #FULL} the history from the last cemented commitment on, older history being deleted by
 * {@link HistoryGc}.
 */
public enum HistoryMode {
    ARCHIVE, FULL;

    /** The command-line and {@code config.json} spelling. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code archive} or {@code full} (any case); IllegalArgumentException otherwise. */
    public static HistoryMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "archive" -> ARCHIVE;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("unknown history mode '" + s + "' (archive or full)");
        };
    }
}
