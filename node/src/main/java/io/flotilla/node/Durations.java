package io.flotilla.node;

import java.time.Duration;
import java.util.Locale;

/** Durations on the command line: {@code 1s}, {@code 500ms}, {@code 2m}, or a bare number of seconds. */
final class Durations {
    private Durations() {}

    static Duration parse(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            } else if (t.endsWith("m")) {
                d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            } else {
                d = Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
            }
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("a duration must be positive: " + s);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid duration '" + s + "' (examples: 1s, 500ms, 2m)");
        }
    }
}
