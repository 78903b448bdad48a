package io.flotilla.persistence.events;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The entity evaluated one L1 level. Its new tree nodes were stored in the context store before this event was
 * persisted, so {@link #stateHash32} is always loadable.
 *
 * @param level                  the L1 (= inbox) level
 * @param l1BlockHash32          hash of the L1 block of that level
 * @param predecessorL2Hash32    hash of the previous L2 block (all zeros for the first one)
 * @param inboxHash32            hash of the level's inbox
 * @param messages               the inbox messages, serialized as the kernel reads them
 * @param stateHash32            state hash after the level
 * @param ticks                  ticks spent on this level
 * @param totalTicks             ticks since origination
 * @param outboxCount            outbox messages emitted at this level
 * @param commitmentHash32OrNull hash of the commitment computed at this level, or null when none
 */
public record L2BlockProduced(int level, byte[] l1BlockHash32, byte[] predecessorL2Hash32, byte[] inboxHash32,
                              List<byte[]> messages, byte[] stateHash32, long ticks, long totalTicks,
                              int outboxCount, byte[] commitmentHash32OrNull) implements RollupEvent {
    public L2BlockProduced {
        Events.level("level", level);
        Events.hash32("l1BlockHash32", l1BlockHash32);
        Events.hash32("predecessorL2Hash32", predecessorL2Hash32);
        Events.hash32("inboxHash32", inboxHash32);
        messages = List.copyOf(messages);
        Events.hash32("stateHash32", stateHash32);
        if (ticks < 0 || totalTicks < 0 || outboxCount < 0) {
            throw new IllegalArgumentException("negative ticks/totalTicks/outboxCount");
        }
        Events.hash32OrNull("commitmentHash32OrNull", commitmentHash32OrNull);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof L2BlockProduced e)) {
            return false;
        }
        if (level != e.level || ticks != e.ticks || totalTicks != e.totalTicks || outboxCount != e.outboxCount
                || messages.size() != e.messages.size()) {
            return false;
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!Arrays.equals(messages.get(i), e.messages.get(i))) {
                return false;
            }
        }
        return Arrays.equals(l1BlockHash32, e.l1BlockHash32) && Arrays.equals(predecessorL2Hash32, e.predecessorL2Hash32)
                && Arrays.equals(inboxHash32, e.inboxHash32) && Arrays.equals(stateHash32, e.stateHash32)
                && Arrays.equals(commitmentHash32OrNull, e.commitmentHash32OrNull);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(level, ticks, totalTicks, outboxCount, Arrays.hashCode(l1BlockHash32),
                Arrays.hashCode(predecessorL2Hash32), Arrays.hashCode(inboxHash32), Arrays.hashCode(stateHash32),
                Arrays.hashCode(commitmentHash32OrNull));
        for (byte[] m : messages) {
            h = 31 * h + Arrays.hashCode(m);
        }
        return h;
    }

    @Override
    public String toString() {
        return "L2BlockProduced[level=" + level + ", l1Block=" + Events.hex(l1BlockHash32) + ", predecessor="
                + Events.hex(predecessorL2Hash32) + ", inbox=" + Events.hex(inboxHash32) + ", messages="
                + messages.size() + ", state=" + Events.hex(stateHash32) + ", ticks=" + ticks + ", totalTicks="
                + totalTicks + ", outboxCount=" + outboxCount + ", commitment=" + Events.hex(commitmentHash32OrNull)
                + "]";
    }
}
