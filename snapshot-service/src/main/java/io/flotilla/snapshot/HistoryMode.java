package io.flotilla.snapshot;

import java.util.Locale;

/** A node's history mode as a snapshot records it (header byte: 0 archive, 1 full). */
public enum HistoryMode {
    ARCHIVE(0),
    FULL(1);

    private final int code;

    HistoryMode(int code) {
        this.code = code;
    }

    /** The header byte. */
    public int code() {
        return code;
    }

    /** {@code archive} or {@code full}: the name used in files, options and metadata. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static HistoryMode fromCode(int code) {
        for (HistoryMode m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        throw new SnapshotFormatException("unknown history mode " + code + " in the snapshot header (0 archive, 1 full)");
    }

    public static HistoryMode fromLabel(String label) {
        for (HistoryMode m : values()) {
            if (m.label().equalsIgnoreCase(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown history mode '" + label + "' (archive or full)");
    }
}
