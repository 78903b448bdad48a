package io.flotilla.persistence.serialization;

/**
 * Marker for messages of other modules that Pekko sends with {@code flotilla-kryo} (bound in configuration
 * to {@link KryoSerializer}), e.g. an entity's commands and replies that cross cluster nodes. The class must also be
 * registered with a {@link FlotillaKryo.Registrar} named in {@code flotilla.kryo.registrars}; one that is not fails
 * to serialize with an error naming it. Not for journaled data: events and snapshots live in this module.
 */
public interface KryoMessage {
}
