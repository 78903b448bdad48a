package io.flotilla.persistence.events;

/**
 * An event journaled by the L1 chain actor (a cluster singleton following the L1 chain). Like {@link RollupEvent}s,
 * every implementation is a record registered in {@link io.flotilla.persistence.serialization.FlotillaKryo} with a
 * fixed id and an explicit serializer that starts with a format byte. Byte arrays are not copied.
 */
public sealed interface L1ChainEvent permits L1BlockAdded, L1ChainReverted {
}
