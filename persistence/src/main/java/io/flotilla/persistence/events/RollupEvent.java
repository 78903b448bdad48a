package io.flotilla.persistence.events;

/**
 * An event journaled by a rollup entity. Every implementation is a record registered in
 * {@link io.flotilla.persistence.serialization.FlotillaKryo} with a fixed id and written by an explicit serializer
 * that starts with a format byte (see package documentation). Byte-array fields are not copied: callers must not
 * modify them after construction. Equality compares array contents.
 */
public sealed interface RollupEvent
        permits RollupOriginated, L2BlockProduced, Reverted, CommitmentPublished, LccUpdated, RollupStuck,
                OutboxHandled {
}
