package io.flotilla.actors.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link EventJournalReader} of a RocksDB journal: every read goes through one RocksDB snapshot of one opening, so
 * the reader shows one consistent point. Opened read-only (no lock, no copy) when no actor system of this process
 * has the journal open, so a node running in another process is neither stopped nor slowed.
 */
public final class RocksJournalReader implements EventJournalReader {
    private final RocksJournalStore store;
    private final RocksJournalStore.View view;

    private RocksJournalReader(RocksJournalStore store) {
        this.store = store;
        this.view = store.view();
    }

    /** A reader of the journal in {@code dir}, or null when there is none. */
    public static RocksJournalReader open(Path dir) {
        RocksJournalStore s = RocksJournalStore.acquireForRead(dir);
        return s == null ? null : new RocksJournalReader(s);
    }

    private static Stored stored(long seqNr, RocksJournalStore.Payload p) {
        return new Stored(seqNr, p.serializerId(), p.manifest(), p.bytes());
    }

    @Override
    public List<String> persistenceIds() {
        return view.persistenceIds();
    }

    @Override
    public Optional<Stored> latestSnapshot(String persistenceId) {
        return view.latestSnapshot(persistenceId, Long.MAX_VALUE, s -> true)
                .map(s -> stored(s.sequenceNr(), s.payload()));
    }

    @Override
    public List<Stored> eventsAfter(String persistenceId, long after) {
        List<Stored> out = new ArrayList<>();
        view.events(persistenceId, after + 1, Long.MAX_VALUE, Long.MAX_VALUE, e -> out.add(stored(e.sequenceNr(), e.payload())));
        return out;
    }

    @Override
    public void close() {
        view.close();
        store.release();
    }
}
