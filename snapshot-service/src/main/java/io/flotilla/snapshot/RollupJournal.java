package io.flotilla.snapshot;

import io.flotilla.actors.journal.EventJournalReader;
import io.flotilla.actors.node.EmbeddedJournal;
import io.flotilla.actors.rollup.RollupEntity;
import io.flotilla.persistence.events.RollupEvent;
import io.flotilla.persistence.serialization.KryoSerializer;
import io.flotilla.persistence.snapshots.RollupSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A data directory's rollup journal (its embedded journal, RocksDB or H2: {@link EmbeddedJournal}) read and written
 * without an actor system: the rollup entity's state is its latest snapshot plus the events after it, folded with
 * {@link RollupEntity#replay}; an import writes the imported state as the entity's snapshot, so the entity recovers
 * from it and persists its next events after it. Payloads are {@code flotilla-kryo} ({@link KryoSerializer}).
 * The journal of a running node is read as of one consistent point without stopping it.
 */
final class RollupJournal {
    private RollupJournal() {}

    static final String PERSISTENCE_PREFIX = RollupEntity.KEY.name() + "|";

    /** The rollups with a journal in {@code dataDir}. */
    static List<String> rollups(Path dataDir) {
        List<String> out = new ArrayList<>();
        try (EventJournalReader r = EmbeddedJournal.openReader(dataDir)) {
            if (r == null) {
                return out;
            }
            for (String id : r.persistenceIds()) {
                if (id.startsWith(PERSISTENCE_PREFIX)) {
                    out.add(id.substring(PERSISTENCE_PREFIX.length()));
                }
            }
        }
        return out;
    }

    /** The rollup's state as recorded in the journal, with the sequence number it stands at; null if none. */
    record Recorded(RollupSnapshot state, long sequenceNr) {}

    static Recorded read(Path dataDir, String rollup) {
        try (EventJournalReader r = EmbeddedJournal.openReader(dataDir)) {
            if (r == null) {
                return null;
            }
            KryoSerializer kryo = new KryoSerializer();
            String pid = PERSISTENCE_PREFIX + rollup;
            Optional<EventJournalReader.Stored> snapshot = r.latestSnapshot(pid);
            RollupSnapshot base = snapshot.map(s -> (RollupSnapshot) decode(kryo, dataDir, s)).orElse(null);
            long seq = snapshot.map(EventJournalReader.Stored::sequenceNr).orElse(0L);
            List<RollupEvent> events = new ArrayList<>();
            for (EventJournalReader.Stored e : r.eventsAfter(pid, seq)) {
                events.add((RollupEvent) decode(kryo, dataDir, e));
                seq = e.sequenceNr();
            }
            if (base == null && events.isEmpty()) {
                return null;
            }
            return new Recorded(RollupEntity.replay(base, events), seq);
        }
    }

    private static Object decode(KryoSerializer kryo, Path dataDir, EventJournalReader.Stored s) {
        if (s.serializerId() != KryoSerializer.IDENTIFIER) {
            throw new IllegalStateException("the journal in " + dataDir + " holds a record of serializer "
                    + s.serializerId() + " at sequence number " + s.sequenceNr() + ", not flotilla-kryo ("
                    + KryoSerializer.IDENTIFIER + ")");
        }
        return kryo.fromBinary(s.bytes());
    }

    /** Creates the journal in {@code dataDir} holding {@code state} as the rollup's snapshot at sequence number 1. */
    static void writeImported(Path dataDir, String rollup, RollupSnapshot state) {
        EmbeddedJournal.writeSnapshot(dataDir, PERSISTENCE_PREFIX + rollup, 1, KryoSerializer.IDENTIFIER, "",
                new KryoSerializer().toBinary(state));
    }
}
