package io.flotilla.persistence.events;

import java.util.Objects;

/** The PVM got stuck at {@code level} (the kernel cannot make progress); {@code reason} is for humans. */
public record RollupStuck(int level, String reason) implements RollupEvent {
    public RollupStuck {
        Events.level("level", level);
        Objects.requireNonNull(reason, "reason");
    }
}
