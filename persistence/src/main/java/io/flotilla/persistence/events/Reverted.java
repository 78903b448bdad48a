package io.flotilla.persistence.events;

/** An L1 reorg: blocks above {@code toLevel} are discarded and the entity replays from {@code toLevel}. */
public record Reverted(int toLevel) implements RollupEvent {
    public Reverted {
        Events.level("toLevel", toLevel);
    }
}
