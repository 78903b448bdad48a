package io.flotilla.persistence.events;

import java.util.HexFormat;
import java.util.Objects;

/** Checks and formatting shared by the event records. */
final class Events {
    private static final HexFormat HEX = HexFormat.of();

    private Events() {
    }

    static byte[] hash32(String field, byte[] b) {
        Objects.requireNonNull(b, field);
        if (b.length != 32) {
            throw new IllegalArgumentException(field + " must be 32 bytes, got " + b.length);
        }
        return b;
    }

    static byte[] hash32OrNull(String field, byte[] b) {
        return b == null ? null : hash32(field, b);
    }

    static String hex(byte[] b) {
        return b == null ? "null" : HEX.formatHex(b);
    }

    static int level(String field, int level) {
        if (level < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + level);
        }
        return level;
    }
}
