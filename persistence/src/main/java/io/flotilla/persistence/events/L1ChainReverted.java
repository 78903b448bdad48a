package io.flotilla.persistence.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * An L1 reorganisation: the journaled blocks above {@code toLevel} left the main chain; the block at
 * {@code toLevel} (the common ancestor, restated so the head follows from events alone) is the new head, and the
 * {@link L1BlockAdded} events that follow carry the new branch.
 *
 * @param toLevel   level of the common ancestor
 * @param toHash32  its hash
 */
public record L1ChainReverted(int toLevel, byte[] toHash32) implements L1ChainEvent {
    public L1ChainReverted {
        Events.level("toLevel", toLevel);
        Events.hash32("toHash32", toHash32);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof L1ChainReverted e && toLevel == e.toLevel && Arrays.equals(toHash32, e.toHash32);
    }

    @Override
    public int hashCode() {
        return Objects.hash(toLevel, Arrays.hashCode(toHash32));
    }

    @Override
    public String toString() {
        return "L1ChainReverted[toLevel=" + toLevel + ", to=" + Events.hex(toHash32) + "]";
    }
}
