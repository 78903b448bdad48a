package io.flotilla.persistence.events;

/**
 * The outbox messages up to {@code outboxLevel} (the last cemented level when they were submitted) were submitted
 * for execution on L1; the next submission starts above that level.
 *
 * @param outboxLevel the highest outbox level handled
 * @param executed    messages L1 accepted for execution
 * @param refused     messages L1 refused (invalid, expired, already executed)
 */
public record OutboxHandled(int outboxLevel, int executed, int refused) implements RollupEvent {
    public OutboxHandled {
        Events.level("outboxLevel", outboxLevel);
        if (executed < 0 || refused < 0) {
            throw new IllegalArgumentException("negative executed/refused count");
        }
    }
}
