package io.flotilla.persistence.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * A commitment of this node was included on L1.
 *
 * @param commitmentHash32 the commitment's hash
 * @param inboxLevel       the inbox level it commits to
 * @param l1Level          the L1 level of the block that included the publish operation
 */
public record CommitmentPublished(byte[] commitmentHash32, int inboxLevel, int l1Level) implements RollupEvent {
    public CommitmentPublished {
        Events.hash32("commitmentHash32", commitmentHash32);
        Events.level("inboxLevel", inboxLevel);
        Events.level("l1Level", l1Level);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommitmentPublished e && Arrays.equals(commitmentHash32, e.commitmentHash32)
                && inboxLevel == e.inboxLevel && l1Level == e.l1Level;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(commitmentHash32), inboxLevel, l1Level);
    }

    @Override
    public String toString() {
        return "CommitmentPublished[" + Events.hex(commitmentHash32) + ", inboxLevel=" + inboxLevel + ", l1Level="
                + l1Level + "]";
    }
}
