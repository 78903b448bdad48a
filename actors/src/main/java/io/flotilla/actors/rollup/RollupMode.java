package io.flotilla.actors.rollup;

import java.util.Locale;

/** Which L1 operations a node injects for a rollup (octez-compat.md, Modes). */
public enum RollupMode {
    OPERATOR(true, true, true, true),
    MAINTENANCE(true, false, true, true),
    BAILOUT(false, false, true, false),
    ACCUSER(false, false, false, false),
    BATCHER(false, true, false, false),
    OBSERVER(false, false, false, false);

    private final boolean publishes;
    private final boolean batches;
    private final boolean cements;
    private final boolean executesOutbox;

    RollupMode(boolean publishes, boolean batches, boolean cements, boolean executesOutbox) {
        this.publishes = publishes;
        this.batches = batches;
        this.cements = cements;
        this.executesOutbox = executesOutbox;
    }

    public boolean publishes() {
        return publishes;
    }

    public boolean batches() {
        return batches;
    }

    public boolean cements() {
        return cements;
    }

    public boolean executesOutbox() {
        return executesOutbox;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RollupMode parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown mode '" + s
                    + "' (operator, maintenance, bailout, accuser, batcher, observer)");
        }
    }
}
