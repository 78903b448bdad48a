package io.flotilla.persistence.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * The last cemented commitment moved.
 *
 * @param commitmentHash32 the newly cemented commitment
 * @param inboxLevel       the inbox level it commits to
 */
public record LccUpdated(byte[] commitmentHash32, int inboxLevel) implements RollupEvent {
    public LccUpdated {
        Events.hash32("commitmentHash32", commitmentHash32);
        Events.level("inboxLevel", inboxLevel);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LccUpdated e && Arrays.equals(commitmentHash32, e.commitmentHash32)
                && inboxLevel == e.inboxLevel;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(commitmentHash32), inboxLevel);
    }

    @Override
    public String toString() {
        return "LccUpdated[" + Events.hex(commitmentHash32) + ", inboxLevel=" + inboxLevel + "]";
    }
}
