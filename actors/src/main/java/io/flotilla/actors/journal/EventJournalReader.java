package io.flotilla.actors.journal;

import java.util.List;
import java.util.Optional;

/**
 * A data directory's embedded journal read without an actor system (snapshot export, tests): the persistence ids,
 * an id's latest snapshot and its events after a sequence number, all as of one consistent point of the journal.
 * Payloads come as stored (serializer id, manifest, bytes); the caller decodes them.
 */
public interface EventJournalReader extends AutoCloseable {

    /** A stored event or snapshot: its sequence number and serialized payload. */
    record Stored(long sequenceNr, int serializerId, String manifest, byte[] bytes) {}

    /** The persistence ids with events or snapshots. */
    List<String> persistenceIds();

    /** The snapshot of {@code persistenceId} with the highest sequence number, if any. */
    Optional<Stored> latestSnapshot(String persistenceId);

    /** The (not deleted) events of {@code persistenceId} after sequence number {@code after}, in order. */
    List<Stored> eventsAfter(String persistenceId, long after);

    @Override
    void close();
}
