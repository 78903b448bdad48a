package io.flotilla.actors.node;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.journal.EventJournalReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which journal a data directory gets, and the import-side write read back through either journal. */
class EmbeddedJournalTest {

    @TempDir
    Path tmp;

    @Test
    void newDataDirsGetRocksDbAndOldOnesKeepH2() {
        Path fresh = tmp.resolve("fresh");
        assertEquals(EmbeddedJournal.Kind.ROCKSDB, EmbeddedJournal.kind(fresh));
        assertNull(EmbeddedJournal.openReader(fresh), "no journal yet");
        assertEquals(EmbeddedJournal.Kind.ROCKSDB, EmbeddedJournal.prepare(fresh));
        assertTrue(Files.isDirectory(fresh.resolve("journal-rocks")));
        assertFalse(Files.exists(fresh.resolve("journal")));
        assertEquals("flotilla.rocks-journal", EmbeddedJournal.config(fresh).getString("pekko.persistence.journal.plugin"));

        Path old = tmp.resolve("old");
        EmbeddedJournal.createSchema(old); // what an older Flotilla left
        assertEquals(EmbeddedJournal.Kind.H2, EmbeddedJournal.kind(old));
        assertEquals(EmbeddedJournal.Kind.H2, EmbeddedJournal.prepare(old));
        assertFalse(Files.exists(old.resolve("journal-rocks")));
        assertEquals("jdbc-journal", EmbeddedJournal.config(old).getString("pekko.persistence.journal.plugin"));
    }

    @Test
    void theDefaultForNewDataDirsCanBeH2ButAnExistingJournalWins() {
        Path withRocks = tmp.resolve("rocks");
        EmbeddedJournal.prepare(withRocks);
        String before = System.getProperty(EmbeddedJournal.DEFAULT_PROPERTY);
        System.setProperty(EmbeddedJournal.DEFAULT_PROPERTY, "h2");
        try {
            assertEquals(EmbeddedJournal.Kind.H2, EmbeddedJournal.kind(tmp.resolve("new")));
            assertEquals(EmbeddedJournal.Kind.ROCKSDB, EmbeddedJournal.kind(withRocks));
            System.setProperty(EmbeddedJournal.DEFAULT_PROPERTY, "leveldb");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddedJournal.kind(tmp.resolve("new")));
            assertTrue(e.getMessage().contains("rocksdb or h2"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(EmbeddedJournal.DEFAULT_PROPERTY);
            } else {
                System.setProperty(EmbeddedJournal.DEFAULT_PROPERTY, before);
            }
        }
    }

    @Test
    void anImportedSnapshotIsReadBackFromEitherJournal() {
        byte[] state = "imported state".getBytes(StandardCharsets.UTF_8);
        Path rocks = tmp.resolve("rocks");
        Path h2 = tmp.resolve("h2");
        EmbeddedJournal.createSchema(h2);
        for (Path dir : new Path[] {rocks, h2}) {
            EmbeddedJournal.writeSnapshot(dir, "Rollup|sr1x", 1, 7177, "", state);
            try (EventJournalReader r = EmbeddedJournal.openReader(dir)) {
                assertEquals(java.util.List.of("Rollup|sr1x"), r.persistenceIds(), dir.toString());
                EventJournalReader.Stored s = r.latestSnapshot("Rollup|sr1x").orElseThrow();
                assertEquals(1, s.sequenceNr());
                assertEquals(7177, s.serializerId());
                assertArrayEquals(state, s.bytes());
                assertEquals(java.util.List.of(), r.eventsAfter("Rollup|sr1x", 1));
            }
        }
        assertFalse(Files.exists(h2.resolve("journal-rocks")), "the H2 data dir stayed on H2");
    }
}
