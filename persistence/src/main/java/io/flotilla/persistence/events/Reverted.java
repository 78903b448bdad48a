package io.flotilla.persistence.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * An L1 reorg: blocks above {@code toLevel} are discarded and the entity continues from the head it had at
 * {@code toLevel}, which this event restates so that the entity's state follows from events alone.
 *
 * @param toLevel                  the common level: the new head level
 * @param l1BlockHash32            hash of the L1 block at {@code toLevel} (the new head's L1 block)
 * @param stateHash32              state hash of the new head
 * @param totalTicks               ticks since origination at the new head
 * @param lastCommitmentLevel      level of the last commitment at or below {@code toLevel} (the origination level
 *                                 for the genesis commitment)
 * @param lastCommitmentHash32     hash of that commitment
 * @param lastCommitmentTotalTicks ticks since origination at that commitment's level (0 for the genesis one)
 */
public record Reverted(int toLevel, byte[] l1BlockHash32, byte[] stateHash32, long totalTicks,
                       int lastCommitmentLevel, byte[] lastCommitmentHash32, long lastCommitmentTotalTicks)
        implements RollupEvent {
    public Reverted {
        Events.level("toLevel", toLevel);
        Events.hash32("l1BlockHash32", l1BlockHash32);
        Events.hash32("stateHash32", stateHash32);
        Events.level("lastCommitmentLevel", lastCommitmentLevel);
        Events.hash32("lastCommitmentHash32", lastCommitmentHash32);
        if (totalTicks < 0 || lastCommitmentTotalTicks < 0) {
            throw new IllegalArgumentException("negative totalTicks/lastCommitmentTotalTicks");
        }
        if (lastCommitmentLevel > toLevel) {
            throw new IllegalArgumentException("lastCommitmentLevel " + lastCommitmentLevel + " above toLevel "
                    + toLevel);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reverted e && toLevel == e.toLevel && Arrays.equals(l1BlockHash32, e.l1BlockHash32)
                && Arrays.equals(stateHash32, e.stateHash32) && totalTicks == e.totalTicks
                && lastCommitmentLevel == e.lastCommitmentLevel
                && Arrays.equals(lastCommitmentHash32, e.lastCommitmentHash32)
                && lastCommitmentTotalTicks == e.lastCommitmentTotalTicks;
    }

    @Override
    public int hashCode() {
        return Objects.hash(toLevel, Arrays.hashCode(l1BlockHash32), Arrays.hashCode(stateHash32), totalTicks,
                lastCommitmentLevel, Arrays.hashCode(lastCommitmentHash32), lastCommitmentTotalTicks);
    }

    @Override
    public String toString() {
        return "Reverted[toLevel=" + toLevel + ", l1Block=" + Events.hex(l1BlockHash32) + ", state="
                + Events.hex(stateHash32) + ", totalTicks=" + totalTicks + ", lastCommitmentLevel="
                + lastCommitmentLevel + ", lastCommitment=" + Events.hex(lastCommitmentHash32)
                + ", lastCommitmentTotalTicks=" + lastCommitmentTotalTicks + "]";
    }
}
